/*
 * expr.c - compile and free weir expressions (expr.h, weir-expr(7)): the
 * public entry points around the parser.
 *
 * The parser (expr_lex.c, expr_parse.c) is recursive descent over the
 * source text and builds a tree of nodes in one array.  Evaluation
 * (expr_eval.c, expr_fn.c) walks the tree; comparisons of a path with a
 * literal (the shape of almost every filter) have their own node kinds
 * that look the field up and compare it in place, without turning it into
 * a weir_xv first.  Bytes an evaluation makes go into scratch blocks
 * (expr_value.c) kept from one evaluation to the next, so a warm
 * expression allocates nothing.  Shared internals: expr_int.h.
 */
#include "expr_int.h"

#include <stdio.h>
#include <stdlib.h>

static int
column(const char *s, size_t pos)
{
	size_t i;
	int col = 1;

	for (i = 0; i < pos && s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

int
weir_expr_compile(weir_expr **out, const char *src, char *err, size_t errsz,
    int *col)
{
	weir_expr *e = calloc(1, sizeof(*e));
	parser p;

	*out = NULL;
	if (col)
		*col = 0;
	if (!e || !(e->src = strdup(src))) {
		free(e);
		weir_seterr(err, errsz, "out of memory");
		return WEIR_FAIL_NOMEM;
	}
	memset(&p, 0, sizeof(p));
	p.e = e;
	p.s = e->src;
	p.err = err;
	p.errsz = errsz;
	weir__expr_next(&p);
	if (p.tok == T_EOF)
		weir__expr_fail(&p, p.tpos, "empty expression%s", "");
	else {
		e->root = weir__expr_parse_or(&p);
		if (e->root >= 0 && p.tok != T_EOF)
			weir__expr_unexpected(&p, "an operator or the end");
	}
	if (p.oom) {
		weir_seterr(err, errsz, "out of memory");
		weir_expr_free(e);
		return WEIR_FAIL_NOMEM;
	}
	if (p.failed) {
		char msg[WEIR_ERRSZ];
		int c = column(src, p.errpos);
		snprintf(msg, sizeof(msg), "%s", err && errsz ? err : "");
		weir_seterr(err, errsz, "column %d: %s", c, msg);
		if (col)
			*col = c;
		weir_expr_free(e);
		return WEIR_FAIL_USAGE;
	}
	*out = e;
	return 0;
}

void
weir_expr_free(weir_expr *e)
{
	int i;

	if (!e)
		return;
	for (i = 0; i < e->nnodes; i++) {
		node *n = &e->nodes[i];
		if (n->op == N_PATH || n->op == N_PCMP_NUM || n->op == N_PCMP_STR)
			weir_path_free(&n->path);
		if ((n->op == N_LIT || n->op == N_PCMP_STR) &&
		    n->lit.type == WEIR_XV_STR)
			free((void *)n->lit.s);
		if (n->op == N_CALL)
			weir_re_free(n->re);
	}
	for (i = 0; i < e->nblocks; i++)
		free(e->blocks[i].p);
	free(e->blocks);
	free(e->nodes);
	free(e->args);
	weir_buf_free(&e->tmp);
	free(e->src);
	free(e);
}

const char *
weir_expr_text(const weir_expr *e)
{
	return e->src;
}

int
weir_expr_reads_value(const weir_expr *e)
{
	int i;

	/* the value is read only by looking up a path (expr_eval.c) */
	for (i = 0; i < e->nnodes; i++)
		if (e->nodes[i].op == N_PATH || e->nodes[i].op == N_PCMP_NUM ||
		    e->nodes[i].op == N_PCMP_STR)
			return 1;
	return 0;
}

const weir_path *
weir_expr_path(const weir_expr *e, size_t k)
{
	int i;

	for (i = 0; i < e->nnodes; i++)
		if ((e->nodes[i].op == N_PATH || e->nodes[i].op == N_PCMP_NUM ||
		    e->nodes[i].op == N_PCMP_STR) && k-- == 0)
			return &e->nodes[i].path;
	return NULL;
}

int
weir_expr_caret(weir_buf *out, const char *src, int col)
{
	const unsigned char *s = (const unsigned char *)src;
	int c = 1;
	size_t i;

	for (i = 0; s[i]; i++)
		if (weir_buf_putc(out, s[i] == '\n' ? ' ' : s[i]) < 0)
			return -1;
	if (weir_buf_putc(out, '\n') < 0)
		return -1;
	for (i = 0; s[i] && c < col; i++) {
		if ((s[i] & 0xc0) == 0x80)
			continue;
		if (weir_buf_putc(out, s[i] == '\t' ? '\t' : ' ') < 0)
			return -1;
		c++;
	}
	for (; c < col; c++)
		if (weir_buf_putc(out, ' ') < 0)
			return -1;
	return weir_buf_puts(out, "^\n");
}

int
weir_expr_compile_diag(weir_expr **out, const char *src, weir_buf *diag)
{
	char err[WEIR_ERRSZ];
	int col, rc;

	rc = weir_expr_compile(out, src, err, sizeof(err), &col);
	if (rc == 0 || rc == WEIR_FAIL_NOMEM)
		return rc;
	weir_buf_puts(diag, err);
	weir_buf_putc(diag, '\n');
	if (col > 0)
		weir_expr_caret(diag, src, col);
	return rc;
}

int
weir_expr_root(const weir_record *r, weir_buf *scratch, weir_pv *root)
{
	int rc = weir_record_json(r, scratch, root);

	if (rc > 0)
		return 0;
	root->type = WEIR_PV_MISSING;
	if (rc < 0)
		return rc;
	if (r->enc != WEIR_ENC_BYTES && r->enc != WEIR_ENC_JSON)
		return 0;
	scratch->len = 0;
	rc = weir_pack_str(scratch, (const char *)(r->value ? r->value :
	    (const uint8_t *)""), r->value_len);
	if (rc == 0)
		weir_pv_of(scratch->p, scratch->len, root);
	return rc == WEIR_FAIL_NOMEM ? rc : 0;	/* not UTF-8: missing */
}
