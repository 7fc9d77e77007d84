/*
 * textwidth.h - how wide UTF-8 text is on a terminal: East Asian wide and
 * fullwidth characters and emoji take two columns, combining marks and
 * zero-width characters none (a small table, independent of the locale).
 */
#ifndef WEIR_TEXTWIDTH_H
#define WEIR_TEXTWIDTH_H

#include <stddef.h>
#include <stdint.h>

int weir_wcwidth(uint32_t cp);		/* 0, 1 or 2 (control: 0) */
/* Columns the UTF-8 text s[0..n) takes (a bad byte takes one). */
size_t weir_text_width(const uint8_t *s, size_t n);
/* The length of the longest prefix of s[0..n), whole characters, that
 * fits in max columns; its width in *w. */
size_t weir_text_fit(const uint8_t *s, size_t n, size_t max, size_t *w);
/* The columns of the terminal on fd, 0 if it is not one. */
int weir_term_width(int fd);

#endif
