/*
 * expr_lex.c - the lexer of weir expressions, and the parser's error
 * messages (expr_int.h).
 */
#include "expr_int.h"

#include <stdio.h>

int
weir__expr_fail(parser *p, size_t at, const char *fmt, const char *arg)
{
	char msg[256];

	if (p->failed)
		return -1;
	p->failed = 1;
	p->errpos = at;
	snprintf(msg, sizeof(msg), fmt, arg);
	weir_seterr(p->err, p->errsz, "%s", msg);
	return -1;
}

int
weir__expr_nomem(parser *p, size_t at)
{
	if (!p->failed)
		p->oom = 1;
	return weir__expr_fail(p, at, "out of memory%s", "");
}

static int
ident_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' || ch == '@';
}

/* Scan a JSON-style string body from s[i] (just after the quote); returns
 * the index of the closing quote, or 0 if unterminated. */
static size_t
scan_string(const char *s, size_t i)
{
	while (s[i] && s[i] != '"') {
		if (s[i] == '\\' && s[i + 1])
			i++;
		i++;
	}
	return s[i] == '"' ? i : 0;
}

void
weir__expr_next(parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;
	int ch;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	p->tpos = i;
	ch = (unsigned char)s[i];
	if (!ch) {
		p->tok = T_EOF;
		p->tlen = 0;
		p->pos = i;
		return;
	}
	if (ch == '.') {
		size_t j = i + 1;
		for (;;) {
			if (ident_char((unsigned char)s[j])) {
				while (ident_char((unsigned char)s[j]))
					j++;
			} else if (s[j] == '"') {
				size_t q = scan_string(s, j + 1);
				if (!q)
					break;
				j = q + 1;
			} else if (s[j] == '[') {
				size_t k = j + 1;
				if (s[k] == '"') {
					size_t q = scan_string(s, k + 1);
					if (!q)
						break;
					k = q + 1;
				} else {
					if (s[k] == '-')
						k++;
					while (s[k] >= '0' && s[k] <= '9')
						k++;
				}
				if (s[k] != ']')
					break;
				j = k + 1;
				/* an index goes on with a step ("[1]") or,
				 * below, with a dot and a name (".r") */
				if (s[j] == '[')
					continue;
			} else
				break;
			if (s[j] == '.' && (ident_char((unsigned char)s[j + 1]) ||
			    s[j + 1] == '"' || s[j + 1] == '['))
				j++;
		}
		p->tok = T_PATH;
		p->tlen = j - i;
		p->pos = j;
		return;
	}
	if (ch >= '0' && ch <= '9') {
		size_t j = i;
		while (s[j] >= '0' && s[j] <= '9')
			j++;
		if (s[j] == '.' && s[j + 1] >= '0' && s[j + 1] <= '9') {
			j++;
			while (s[j] >= '0' && s[j] <= '9')
				j++;
		}
		if ((s[j] == 'e' || s[j] == 'E') && ((s[j + 1] >= '0' &&
		    s[j + 1] <= '9') || ((s[j + 1] == '+' || s[j + 1] == '-') &&
		    s[j + 2] >= '0' && s[j + 2] <= '9'))) {
			j += 2;
			while (s[j] >= '0' && s[j] <= '9')
				j++;
		}
		p->tok = ident_char((unsigned char)s[j]) ? T_BAD : T_NUM;
		p->tlen = j - i;
		p->pos = j;
		return;
	}
	if (ident_char(ch)) {
		size_t j = i;
		while (ident_char((unsigned char)s[j]))
			j++;
		p->tok = T_IDENT;
		p->tlen = j - i;
		p->pos = j;
		return;
	}
	if (ch == '"') {
		size_t q = scan_string(s, i + 1);
		if (!q) {
			p->tok = T_BAD;
			p->tlen = 1;
			p->pos = i + 1;
			weir__expr_fail(p, i, "unterminated string%s", "");
			return;
		}
		p->tok = T_STR;
		p->tlen = q + 1 - i;
		p->pos = q + 1;
		return;
	}
	p->tlen = 1;
	switch (ch) {
	case '(': p->tok = T_LP; break;
	case ')': p->tok = T_RP; break;
	case '[': p->tok = T_LB; break;
	case ']': p->tok = T_RB; break;
	case ',': p->tok = T_COMMA; break;
	case '+': p->tok = T_PLUS; break;
	case '-': p->tok = T_MINUS; break;
	case '*': p->tok = T_STAR; break;
	case '/': p->tok = T_SLASH; break;
	case '%': p->tok = T_PCT; break;
	case '=':
		if (s[i + 1] == '=') {
			p->tok = T_EQ;
			p->tlen = 2;
		} else
			p->tok = T_BAD;
		break;
	case '!':
		if (s[i + 1] == '=') {
			p->tok = T_NE;
			p->tlen = 2;
		} else
			p->tok = T_BAD;
		break;
	case '<':
		if (s[i + 1] == '=') {
			p->tok = T_LE;
			p->tlen = 2;
		} else
			p->tok = T_LT;
		break;
	case '>':
		if (s[i + 1] == '=') {
			p->tok = T_GE;
			p->tlen = 2;
		} else
			p->tok = T_GT;
		break;
	default:
		p->tok = T_BAD;
	}
	p->pos = i + p->tlen;
}

int
weir__expr_is_word(const parser *p, const char *w)
{
	return p->tok == T_IDENT && strlen(w) == p->tlen &&
	    memcmp(p->s + p->tpos, w, p->tlen) == 0;
}

/* A message naming the current token. */
int
weir__expr_unexpected(parser *p, const char *what)
{
	char tok[48], msg[128];

	if (p->failed)
		return -1;
	if (p->tok == T_EOF)
		snprintf(tok, sizeof(tok), "the end");
	else if (p->tok == T_BAD && p->s[p->tpos] == '=')
		return weir__expr_fail(p, p->tpos,
		    "'=' is not an operator (use == "
		    "to compare)%s", "");
	else if (p->tok == T_BAD && p->s[p->tpos] == '!')
		return weir__expr_fail(p, p->tpos,
		    "'!' is not an operator (use not, "
		    "or != to compare)%s", "");
	else if (p->tok == T_BAD && p->s[p->tpos] == '&')
		return weir__expr_fail(p, p->tpos,
		    "'&' is not an operator (use "
		    "and)%s", "");
	else if (p->tok == T_BAD && p->s[p->tpos] == '|')
		return weir__expr_fail(p, p->tpos,
		    "'|' is not an operator (use "
		    "or)%s", "");
	else
		snprintf(tok, sizeof(tok), "'%.*s'", (int)(p->tlen > 20 ? 20 :
		    p->tlen), p->s + p->tpos);
	snprintf(msg, sizeof(msg), "expected %s, found %s", what, tok);
	return weir__expr_fail(p, p->tpos, "%s", msg);
}
