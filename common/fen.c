/* fen.c -- an amount in fen written as yuan (see fen.h). */
#include "fen.h"

#include <stdio.h>

void fen_format(int64_t fen, char *buf, size_t n)
{
    /* the magnitude in unsigned arithmetic: -INT64_MIN does not fit */
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, n, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
             (unsigned long long)(a % 100));
}
