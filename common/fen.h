/* fen.h -- an amount in fen written as yuan with two decimals.
 *
 * Exact: integer division, no floating point; the most negative fen
 * prints too ("-92233720368547758.08"). */
#ifndef HM_FEN_H
#define HM_FEN_H

#include <stddef.h>
#include <stdint.h>

/* "1245.00", "-3.50", "0.07" into buf of n bytes (24 always suffice). */
void fen_format(int64_t fen, char *buf, size_t n);

#endif
