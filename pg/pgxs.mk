# pg/pgxs.mk -- the PostgreSQL extension huimin, built with PGXS.
#
# make runs it from the build tree (Makefile.am's pg-build, pg-stage and
# install-pg targets), out of the source tree:
#   make -C pg -f SRCDIR/pg/pgxs.mk VPATH=SRCDIR/pg HM_SRCDIR=SRCDIR \
#        HM_BUILDDIR=BUILDDIR HM_LIBDIR=LIBDIR PG_CONFIG=pg_config
# HM_BUILDDIR/.libs holds libhuimin.so; HM_LIBDIR is where `make install`
# puts it (the extension's run path).

MODULE_big = huimin
OBJS = module.o packs.o evaluate.o run.o spi_source.o sink.o guard.o shard.o tablemap.o
EXTENSION = huimin
DATA_built = huimin--0.1.sql
EXTRA_CLEAN = $(DATA_built)

HM_SRCDIR ?= $(abspath $(srcdir)/..)
HM_BUILDDIR ?= $(HM_SRCDIR)
HM_LIBDIR ?= /usr/local/lib

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(HM_SRCDIR)/include -I$(HM_SRCDIR)/plugins/common
# a sanitizer build sets the runtimes' options in module.c
ifneq ($(strip $(HM_SAN_CFLAGS)),)
PG_CPPFLAGS += -DHMPG_SANITIZED
endif
# our code is C11 (declarations where they are first needed); with the
# project's own warnings on top of PostgreSQL's
PG_CFLAGS = -std=gnu11 -Wno-declaration-after-statement -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare -Wno-cast-function-type $(HM_SAN_CFLAGS)
SHLIB_LINK = -L$(HM_BUILDDIR)/.libs -lhuimin -Wl,-rpath,$(HM_LIBDIR) $(HM_SAN_CFLAGS)

# no LLVM bitcode for the JIT: the functions call into libhuimin anyway
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

vpath tablemap.c $(HM_SRCDIR)/plugins/common

$(DATA_built): sql/huimin.sql sql/cluster.sql
	cat $^ > $@
