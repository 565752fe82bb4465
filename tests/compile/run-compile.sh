#!/bin/sh
# run-compile.sh -- the compiler on generated packs that are long or deep:
# every step must be linear and nothing may be cut or dropped.
#
#   - a fact read 250 levels deep in an expression is in the policy's list
#     (`huimin needs` names it);
#   - 60 lets each using the one before twice, and 40 functions each calling
#     the one before three times, compile, test and run within a few seconds
#     (each is run under `timeout`: a compiler gone exponential fails, it
#     does not hang);
#   - a chain of 20,000 functions compiles and runs, declared either way round;
#   - a function of 70 parameters reads its last ones;
#   - lets and policies 200 deep are checked, 201 deep refused with the
#     place where the chain goes past the limit;
#   - a rule past the bytecode's limits (registers, jump lengths) is refused
#     by `huimin check` as by `huimin compile`; one of 256 registers runs;
#   - a pack in folders nested deeper than 32 is refused, not read in part.
#
# Environment: HUIMIN, SRCDIR (see Makefile.am).  Prints "N passed, N failed".
: "${HUIMIN:?HUIMIN is not set}"
T=${TMPDIR:-/tmp}/huimin-compile-$$
mkdir -p "$T" || exit 2
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$T/out" ] && head -20 "$T/out"; }
# a household of one member with x = 1
printf 'given household {\n  members [ { x 1 } ]\n}\n' > "$T/one.given"
SRC='source s "数据" {
  person.x : int
}'
TEST='test "t" as of 2024-01-01 {
  given person { x 1 }
  expect p eligible
}'

# ---- a fact deep in an expression ----------------------------------------
e=person.x
i=0
while [ $i -lt 250 ]; do e="(1 + $e)"; i=$((i + 1)); done
printf '%s\npolicy p for person {\n  eligible when %s > 0 "x"\n}\n' "$SRC" "$e" > "$T/deep.pol"
if timeout 20 "$HUIMIN" needs "$T/deep.pol" > "$T/out" 2>&1 && grep -q 'reads 1 fact' "$T/out" &&
   grep -q 'person.x' "$T/out"; then
    ok "a fact 250 levels deep is read"
else
    bad "a fact 250 levels deep is read"
fi

# ---- chains that doubled the compile time at each step -------------------
{
    echo "$SRC"
    echo 'policy p for person {'
    echo '  let l0 = person.x'
    i=1
    while [ $i -lt 60 ]; do echo "  let l$i = l$((i - 1)) + l$((i - 1))"; i=$((i + 1)); done
    echo '  eligible when l59 > 0 "x"'
    echo '}'
    echo "$TEST"
} > "$T/lets.pol"
{
    echo 'function f0(a : int) : int = a + 1'
    i=1
    while [ $i -lt 40 ]; do
        echo "function f$i(a : int) : int = f$((i - 1))(a) + f$((i - 1))(a) + f$((i - 1))(a)"
        i=$((i + 1))
    done
    echo "$SRC"
    echo 'policy p for person {'
    echo '  eligible when f39(person.x) > 0 "x"'
    echo '}'
    echo "$TEST"
} > "$T/fns.pol"
for f in lets fns; do
    if timeout 10 "$HUIMIN" compile -o "$T/$f.hmc" "$T/$f.pol" > "$T/out" 2>&1 &&
       timeout 10 "$HUIMIN" test "$T/$f.pol" > "$T/out" 2>&1 &&
       timeout 10 "$HUIMIN" run "$T/$f.pol" --given "$T/one.given" --as-of 2024-01-01 > "$T/out" 2>&1 &&
       grep -q '^p .* eligible' "$T/out"; then
        ok "$f: chain used several times at each step compiles, tests and runs"
    else
        bad "$f: chain used several times at each step compiles, tests and runs"
    fi
done

# ---- 20,000 functions in a chain, declared in both orders ----------------
awk 'BEGIN {
    print "function f0(a : int) : int = a + 1"
    for (i = 1; i < 20000; i++) printf "function f%d(a : int) : int = f%d(a)\n", i, i - 1
}' > "$T/chain.pol"
awk 'BEGIN {
    print "function f19999(a : int) : int = a + 1"
    for (i = 19998; i >= 0; i--) printf "function f%d(a : int) : int = f%d(a)\n", i, i + 1
}' > "$T/rchain.pol"
printf '%s\npolicy p for person {\n  eligible when f19999(person.x) > 0 "x"\n}\n' "$SRC" >> "$T/chain.pol"
printf '%s\npolicy p for person {\n  eligible when f0(person.x) > 0 "x"\n}\n' "$SRC" >> "$T/rchain.pol"
for f in chain rchain; do
    if timeout 60 "$HUIMIN" compile -o "$T/$f.hmc" "$T/$f.pol" > "$T/out" 2>&1 &&
       timeout 60 "$HUIMIN" run "$T/$f.pol" --given "$T/one.given" --as-of 2024-01-01 > "$T/out" 2>&1 &&
       grep -q '^p .* eligible' "$T/out"; then
        ok "$f: 20,000 functions in a chain compile and run"
    else
        bad "$f: 20,000 functions in a chain compile and run"
    fi
done

# ---- many names in scope ---------------------------------------------------
awk -v src="$SRC" 'BEGIN {
    print src
    printf "function f("
    for (i = 0; i < 70; i++) printf "%sa%d : int", i ? ", " : "", i
    print ") : int = a0 * 0 + a67 + a68 + a69"
    print "policy p for person {\n  eligible when true \"x\"\n  amount f("
    for (i = 0; i < 69; i++) printf "1, "
    print "person.x)\n}"
    print "test \"t\" as of 2024-01-01 {\n  given person { x 5 }\n  expect p eligible, amount 7\n}"
}' > "$T/params.pol"
if timeout 20 "$HUIMIN" test "$T/params.pol" > "$T/out" 2>&1; then
    ok "a function of 70 parameters reads its last ones"
else
    bad "a function of 70 parameters reads its last ones"
fi

# ---- chains of lets and policies: 200 deep is checked, 201 refused -------
lets() {    # lets N: x0 uses x1 … x(N-1) uses person.x
    echo "$SRC"
    echo 'policy p for person {'
    awk -v n="$1" 'BEGIN { for (i = 0; i < n - 1; i++) printf "  let x%d = x%d + 1\n", i, i + 1 }'
    echo "  let x$(($1 - 1)) = person.x"
    echo '  eligible when x0 > 0 "x"'
    echo '}'
}
policies() {    # policies N WHAT: p0 uses p1 … p(N-1) reads person.x
    echo "$SRC"
    awk -v n="$1" -v what="$2" 'BEGIN {
        for (i = 0; i < n - 1; i++)
            printf "policy p%d for person {\n  eligible when p%d.%s\n  amount 1\n}\n", i, i + 1,
                   what == "amount" ? "amount > 0 \"y\"" : "eligible \"y\""
        printf "policy p%d for person {\n  eligible when person.x > 0 \"x\"\n  amount 1\n}\n", n - 1
    }'
}
limit() {   # limit NAME FILE LINE:COL MESSAGE
    if timeout 20 "$HUIMIN" check "$T/$2" > "$T/out" 2>&1; then
        bad "$1 (accepted)"
    elif [ $? -eq 1 ] && grep -q "^$T/$2:$3: error: $4\$" "$T/out" &&
         [ "$(grep -c ': error: ' "$T/out")" -eq 1 ]; then
        ok "$1"
    else
        bad "$1"
    fi
}
lets 200 > "$T/lets200.pol"
lets 201 > "$T/lets201.pol"
policies 200 eligible > "$T/pol200.pol"
policies 201 eligible > "$T/pol201.pol"
policies 201 amount > "$T/amt201.pol"
for f in lets200 pol200; do
    if timeout 20 "$HUIMIN" check "$T/$f.pol" > "$T/out" 2>&1; then
        ok "$f: a chain of 200 is checked"
    else
        bad "$f: a chain of 200 is checked"
    fi
done
limit "lets201: a chain of 201 lets is refused" lets201.pol 205:7 \
    'lets depend on each other more than 200 levels deep'
limit "pol201: a chain of 201 policies is refused" pol201.pol 5:20 \
    'policies depend on each other more than 200 levels deep'
limit "amt201: a chain of 201 policies through .amount is refused" amt201.pol 5:20 \
    'policies depend on each other more than 200 levels deep'

# ---- the bytecode's own limits: `huimin check` finds them, as `compile` does
# 300 additions nested to the right hold 300 values at once (an instruction
# names 256 registers); an `if` whose branch tests a list of 11,000 values
# jumps over more than 32,767 instructions
sums() {    # N: person.x + (person.x + (… (1))), N additions, each holding a register
    s=1
    j=0
    while [ "$j" -lt "$1" ]; do s="person.x + ($s)"; j=$((j + 1)); done
    echo "$s"
}
printf '%s\npolicy p for person {\n  eligible when %s > 0 "x"\n}\n' "$SRC" "$(sums 300)" > "$T/regs.pol"
printf '%s\npolicy p for person {\n  eligible when (if person.x > 0 then person.x in [%s] else false) "x"\n}\n' \
    "$SRC" "$(seq -s ', ' 0 7 76993)" > "$T/jumps.pol"
limit "regs: a rule needing 300 registers is refused by check" regs.pol 5:3062 \
    'this rule is too large to compile (it needs more than 256 registers)'
limit "jumps: a rule jumping 33,000 instructions is refused by check" jumps.pol 5:18 \
    'this rule is too large to compile (a jump of more than 32767 instructions)'
# 253 additions need all 256 registers (the last is r255): compiled,
# verified and run, the sum exact
printf '%s\npolicy p for person {\n  eligible when %s == 254 "x"\n}\n%s\n' "$SRC" "$(sums 253)" "$TEST" > "$T/regs256.pol"
if "$HUIMIN" test "$T/regs256.pol" > "$T/out" 2>&1 && grep -q '^1 passed, 0 failed' "$T/out" &&
   "$HUIMIN" disasm "$T/regs256.pol" 2>&1 | grep -q ', 256 registers)'; then
    ok "regs256: a rule of 256 registers compiles and runs"
else
    bad "regs256: a rule of 256 registers compiles and runs"
fi
for f in regs jumps; do
    if "$HUIMIN" compile "$T/$f.pol" -o "$T/$f.hmc" > "$T/out" 2>&1; then
        bad "$f: compile accepts it"
    elif [ $? -eq 1 ] && grep -q 'error: this rule is too large to compile' "$T/out" && [ ! -e "$T/$f.hmc" ]; then
        ok "$f: compile refuses it too, and writes nothing"
    else
        bad "$f: compile refuses it too, and writes nothing"
    fi
done

# ---- folders deeper than the walk goes: refused, not left out -------------
d="$T/deep"
i=0
while [ $i -lt 34 ]; do d="$d/a"; i=$((i + 1)); done
mkdir -p "$d" && printf '%s\npolicy p for person {\n  eligible when person.x > 0 "x"\n}\n' "$SRC" > "$d/p.pol"
"$HUIMIN" check "$T/deep" > "$T/out" 2>&1
st=$?
if [ $st -eq 2 ] && grep -q 'folders nested more than 32 deep$' "$T/out"; then
    ok "folders 34 deep are refused"
else
    bad "folders 34 deep are refused (exit $st)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
