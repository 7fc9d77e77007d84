/*
 * weir-map - reshape each record's value: set or compute fields
 * (NAME=EXPR, weir-expr(7)), keep or drop fields, rename them, and re-key
 * or re-time the record.
 *
 * Every expression sees the record as it came in.  The new value is built
 * from the old one in one pass: --keep selects, --drop removes, then the
 * assignments (and renames) are applied, in the order of the command line.
 * Untouched members are copied as their encoded bytes.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dur.h"
#include "expr.h"
#include "path.h"
#include "record.h"
#include "stage.h"

static const char usage[] =
"usage: weir-map [options] [NAME=EXPR...]\n"
"\n"
"Set or compute fields of each record (see weir-expr(7)), e.g.\n"
"  weir-map 'cents=.amount * 100' --drop .amount\n"
"\n"
"  NAME=EXPR             set field NAME (a name, or a path like .a.b) to the\n"
"                        value of EXPR; a missing value removes NAME\n"
"  -k, --keep P,...      keep only these fields (then apply the rest)\n"
"  -d, --drop P,...      remove these fields\n"
"  -r, --rename OLD=NEW  move field OLD to NEW\n"
"  -K, --key EXPR        set the record key to EXPR (as text)\n"
"  -T, --time EXPR       set the event time to EXPR: a number of ms since\n"
"                        the epoch, or an ISO 8601 string\n"
"  -i, --input-format F  how to read text input (default ndjson)\n"
"  -f, --format FMT      output format (default: frames, ndjson on a\n"
"                        terminal)\n"
"      --on-error MODE   fail (default), skip, or a FILE for bad records\n"
"      --state DIR       checkpoints: the pipeline's state directory\n"
"      --name NAME       this stage's name there\n"
"      --reset-state     ignore the saved state\n"
"  -h, --help            this help\n"
"      --version         print the version\n"
"\n"
"Exit status: 0 ok, 1 bad input data (a --time that is not a time),\n"
"2 usage or a bad expression, 3 I/O failure or upstream ended without\n"
"END.  See weir-map(1).\n";

enum { O_ONERR = 256, O_VERSION };

static const struct option longopts[] = {
	{ "keep", required_argument, NULL, 'k' },
	{ "drop", required_argument, NULL, 'd' },
	{ "rename", required_argument, NULL, 'r' },
	{ "key", required_argument, NULL, 'K' },
	{ "time", required_argument, NULL, 'T' },
	{ "input-format", required_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "on-error", required_argument, NULL, O_ONERR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	WEIR_CKPT_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/*
 * The edits form a tree of object keys.  A node is kept whole (--keep),
 * deleted (--drop, or the old side of --rename), or set from an
 * expression; inner nodes just lead to edits further down.
 */
typedef struct edit {
	char *key;
	size_t klen;
	int keep, del, set;	/* set: index into exprs, or -1 */
	int wanted;		/* the subtree holds a keep or a set */
	int done;		/* per record: set already written */
	struct edit *kids;
	size_t nkids;
} edit;

static edit root = { .set = -1 };
static int keep_mode;
static weir_expr **exprs;
static weir_xv *vals;
static size_t nexprs;

static weir_expr *
compile_or_die(const char *src, const char *what)
{
	weir_buf diag = {0};
	weir_expr *e = weir_expr_compile_diag(src, &diag);

	if (e)
		return e;
	fprintf(stderr, "%s: bad expression in %s: %.*s", weir_prog, what,
	    (int)diag.len, (const char *)diag.p);
	exit(WEIR_EXIT_USAGE);
}

static size_t
add_expr(const char *src, const char *what)
{
	weir_expr **ne = realloc(exprs, sizeof(*ne) * (nexprs + 1));
	weir_xv *nv = realloc(vals, sizeof(*nv) * (nexprs + 1));

	if (!ne || !nv)
		weir_die(WEIR_EXIT_IO, "out of memory");
	exprs = ne;
	vals = nv;
	exprs[nexprs] = compile_or_die(src, what);
	return nexprs++;
}

static edit *
child(edit *n, const char *k, size_t kl)
{
	edit *nk;
	size_t i;

	for (i = 0; i < n->nkids; i++)
		if (n->kids[i].klen == kl && memcmp(n->kids[i].key, k, kl) == 0)
			return &n->kids[i];
	nk = realloc(n->kids, sizeof(*nk) * (n->nkids + 1));
	if (!nk)
		weir_die(WEIR_EXIT_IO, "out of memory");
	n->kids = nk;
	nk = &n->kids[n->nkids++];
	memset(nk, 0, sizeof(*nk));
	nk->set = -1;
	nk->key = malloc(kl ? kl : 1);
	if (!nk->key)
		weir_die(WEIR_EXIT_IO, "out of memory");
	memcpy(nk->key, k, kl);
	nk->klen = kl;
	return nk;
}

/* The edit node for a field name or path (.a.b); object keys only. */
static edit *
edit_for(const char *name, const char *opt)
{
	char err[WEIR_ERRSZ];
	weir_path p;
	edit *n = &root;
	size_t i;

	if (name[0] != '.') {
		/* a bare name: one key, as written */
		if (!*name)
			weir_usage_error("%s: empty field name", opt);
		return child(&root, name, strlen(name));
	}
	if (weir_path_parse(&p, name, err, sizeof(err)) < 0)
		weir_usage_error("%s: %s", opt, err);
	if (p.nsteps == 0)
		weir_usage_error("%s: '.' is the whole value, not a field", opt);
	for (i = 0; i < p.nsteps; i++) {
		if (p.steps[i].is_index)
			weir_usage_error("%s: '%s': weir-map edits object fields; "
			    "array elements ([N]) cannot be set, kept or dropped",
			    opt, name);
		n = child(n, p.steps[i].key, p.steps[i].key_len);
	}
	weir_path_free(&p);
	return n;
}

/* Split NAME=EXPR at the first '=' that is not part of ==, != <=, >=, and
 * not inside a quoted key. */
static char *
split_assign(char *arg)
{
	char *s;
	int q = 0;

	for (s = arg; *s; s++) {
		if (*s == '"' && (s == arg || s[-1] != '\\'))
			q = !q;
		if (q || *s != '=')
			continue;
		if (s[1] == '=' || (s > arg && strchr("!<>=", s[-1])))
			break;	/* an operator: there was no NAME= */
		return s;
	}
	return NULL;
}

static void
add_list(const char *list, int del, const char *opt)
{
	char err[WEIR_ERRSZ], **items;
	size_t i, nitems;

	if (!(items = weir_path_list(list, &nitems, err, sizeof(err))))
		weir_usage_error("%s: %s", opt, err);
	for (i = 0; i < nitems; i++) {
		edit *n = edit_for(items[i], opt);
		if (del)
			n->del = 1;
		else {
			n->keep = 1;
			keep_mode = 1;
		}
	}
	free(items);
}

/* Mark subtrees that hold a keep or a set; refuse a set inside a set. */
static int
settle(edit *n, int under_set)
{
	size_t i;
	int w = n->keep || n->set >= 0;

	for (i = 0; i < n->nkids; i++) {
		if (n->kids[i].set >= 0 && (under_set || n->set >= 0))
			weir_usage_error("field '%.*s' is set inside a field that "
			    "is set too: set one or the other",
			    (int)n->kids[i].klen, n->kids[i].key);
		w |= settle(&n->kids[i], under_set || n->set >= 0);
	}
	n->wanted = w;
	return w;
}

static weir_buf out, kscratch;

static void
pack_or_die(int rc)
{
	if (rc < 0)
		weir_die(WEIR_EXIT_DATA, "cannot build the new value (out of "
		    "memory, or a string that is not UTF-8)");
}

/* 1 if some set under n (n included) has a value for this record. */
static int
has_sets(const edit *n)
{
	size_t i;

	if (n->set >= 0)
		return vals[n->set].type != WEIR_XV_MISSING;
	for (i = 0; i < n->nkids; i++)
		if (has_sets(&n->kids[i]))
			return 1;
	return 0;
}

static void
put_key(const uint8_t *k, size_t n)
{
	pack_or_die(weir_pack_str(&out, (const char *)k, n));
}

/* Write the object for edit node n, built from obj (which may be missing
 * or not an object: then only what is set is written).  kept: an
 * ancestor (or n) was named by --keep. */
static void
rebuild(const weir_pv *obj, edit *n, int kept)
{
	size_t mark = weir_pack_open(&out, WEIR_PK_OBJ), i;
	weir_pv_iter it;
	weir_pv k, v, kv;
	const uint8_t *ks;
	size_t kn;

	for (i = 0; i < n->nkids; i++)
		n->kids[i].done = 0;
	if (obj->type == WEIR_PV_OBJECT) {
		weir_pv_iter_init(&it, obj);
		while (weir_pv_iter_next(&it, &k, &v)) {
			edit *c = NULL;
			int ckept;
			kscratch.len = 0;
			if (weir_pv_str(&k, &kscratch, &ks, &kn) < 0)
				continue;
			for (i = 0; i < n->nkids; i++)
				if (n->kids[i].klen == kn && (kn == 0 ||
				    memcmp(n->kids[i].key, ks, kn) == 0)) {
					c = &n->kids[i];
					break;
				}
			if (!c) {
				if (!keep_mode || kept) {
					pack_or_die(weir_pack_raw(&out, &k));
					pack_or_die(weir_pack_raw(&out, &v));
				}
				continue;
			}
			if (c->done && c->set >= 0)
				continue;	/* a duplicate key */
			c->done = 1;
			if (c->set >= 0) {
				if (vals[c->set].type != WEIR_XV_MISSING) {
					pack_or_die(weir_pack_raw(&out, &k));
					pack_or_die(weir_xv_pack(&out,
					    &vals[c->set]));
				}
				continue;
			}
			if (c->del)
				continue;
			ckept = kept || c->keep;
			if (keep_mode && !ckept && !c->wanted)
				continue;
			if (c->nkids == 0 || (v.type != WEIR_PV_OBJECT &&
			    !has_sets(c))) {
				if (!keep_mode || ckept) {
					pack_or_die(weir_pack_raw(&out, &k));
					pack_or_die(weir_pack_raw(&out, &v));
				}
				continue;
			}
			pack_or_die(weir_pack_raw(&out, &k));
			rebuild(&v, c, ckept);
		}
	}
	/* what the input did not have */
	kv.type = WEIR_PV_MISSING;
	for (i = 0; i < n->nkids; i++) {
		edit *c = &n->kids[i];
		if (c->done || !has_sets(c))
			continue;
		put_key((const uint8_t *)c->key, c->klen);
		if (c->set >= 0)
			pack_or_die(weir_xv_pack(&out, &vals[c->set]));
		else
			rebuild(&kv, c, kept || c->keep);
	}
	pack_or_die(weir_pack_close(&out, mark));
}

/* An expression that reads field NAME (a path, or a bare name). */
static size_t
path_expr(const char *name, const char *what)
{
	weir_buf b = {0};
	size_t ei;

	if (name[0] == '.')
		return add_expr(name, what);
	weir_buf_puts(&b, ".[");
	weir_json_str(&b, (const uint8_t *)name, strlen(name));
	weir_buf_puts(&b, "]");
	weir_buf_putc(&b, 0);
	ei = add_expr((const char *)b.p, what);
	weir_buf_free(&b);
	return ei;
}

static void
free_edits(edit *n)
{
	size_t i;

	for (i = 0; i < n->nkids; i++) {
		free_edits(&n->kids[i]);
		free(n->kids[i].key);
	}
	free(n->kids);
}

/* Free everything before a normal exit (LeakSanitizer stays quiet). */
static void
cleanup(void)
{
	size_t k;

	for (k = 0; k < nexprs; k++)
		weir_expr_free(exprs[k]);
	free(exprs);
	free(vals);
	free_edits(&root);
	weir_buf_free(&out);
	weir_buf_free(&kscratch);
}

int
main(int argc, char **argv)
{
	weir_ckpt_opts ck = { 0 };
	int c, infmt = WEIR_FMT_AUTO, outfmt = WEIR_FMT_AUTO, i;
	long key_ei = -1, time_ei = -1;
	const char *onerr = "fail";
	weir_buf scratch = {0}, keybuf = {0}, raw = {0};
	weir_stage st;
	weir_event ev;
	weir_expr_ctx ctx;
	weir_pv rootpv;
	char *eq, *name, *end;
	size_t k;

	weir_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "k:d:r:K:T:i:f:h", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'k':
			add_list(optarg, 0, "--keep");
			break;
		case 'd':
			add_list(optarg, 1, "--drop");
			break;
		case 'r':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1])
				weir_usage_error("--rename wants OLD=NEW, not '%s'",
				    optarg);
			*eq = 0;
			edit_for(optarg, "--rename")->del = 1;
			edit_for(eq + 1, "--rename")->set =
			    (int)path_expr(optarg, "--rename");
			break;
		case 'K':
			key_ei = (long)add_expr(optarg, "--key");
			break;
		case 'T':
			time_ei = (long)add_expr(optarg, "--time");
			break;
		case 'i':
			infmt = weir_cli_infmt(optarg);
			break;
		case 'f':
			outfmt = weir_cli_outfmt(optarg);
			break;
		case O_ONERR:
			onerr = optarg;
			break;
		case 'h':
			weir_cli_help(usage);
		case O_VERSION:
			weir_version();
		default:
			if (!weir_cli_ckpt_opt(&ck, c, optarg))
				weir_cli_bad_option();
		}
	}
	for (i = optind; i < argc; i++) {
		eq = split_assign(argv[i]);
		if (!eq || eq == argv[i])
			weir_usage_error("'%s' is not NAME=EXPR (like "
			    "'cents=.amount * 100')", argv[i]);
		*eq = 0;
		name = argv[i];
		while (*name == ' ')
			name++;
		for (end = eq; end > name && end[-1] == ' '; end--)
			end[-1] = 0;	/* 'cents = .amount' works too */
		if (!*name)
			weir_usage_error("'%s=%s' has no NAME before '='", argv[i],
			    eq + 1);
		edit_for(name, name)->set = (int)add_expr(eq + 1, name);
	}
	settle(&root, 0);
	weir_stage_open(&st, infmt, outfmt, NULL, onerr);
	weir_stage_checkpoint(&st, &ck, argc, argv, NULL);
	memset(&ctx, 0, sizeof(ctx));
	ctx.root = &rootpv;
	while (weir_stage_next(&st, &ev)) {
		weir_record r;
		if (ev.type != WEIR_EV_RECORD) {
			weir_stage_forward(&st, &ev);
			continue;
		}
		weir_expr_root(&ev.rec, &scratch, &rootpv);
		ctx.rec = &ev.rec;
		ctx.now_ms = 0;
		for (k = 0; k < nexprs; k++) {
			int rc = weir_expr_eval(exprs[k], &ctx, &vals[k]);
			if (rc == -1)
				weir_die(WEIR_EXIT_IO, "out of memory");
			if (rc < 0)
				break;
		}
		if (k < nexprs) {
			weir_onerr_bad_record(&st.onerr,
			    weir_expr_error(exprs[k]), &ev.rec);
			continue;
		}
		r = ev.rec;
		if (root.nkids && (rootpv.type == WEIR_PV_OBJECT ||
		    has_sets(&root))) {
			out.len = 0;
			rebuild(&rootpv, &root, 0);
			weir_record_set_packed(&r, &out);
		}
		if (key_ei >= 0) {
			keybuf.len = 0;
			if (weir_xv_text(&keybuf, &vals[key_ei]) < 0)
				weir_die(WEIR_EXIT_IO, "out of memory");
			if (vals[key_ei].type == WEIR_XV_MISSING)
				r.flags &= ~(unsigned)WEIR_R_KEY;
			else {
				r.flags |= WEIR_R_KEY;
				r.key = keybuf.p ? keybuf.p : (const uint8_t *)"";
				r.key_len = keybuf.len;
			}
		}
		if (time_ei >= 0) {
			const weir_xv *t = &vals[time_ei];
			int64_t ms;
			if (t->type == WEIR_XV_NUM && isfinite(t->num) &&
			    fabs(t->num) < 9.2e18)
				ms = (int64_t)llround(t->num);
			else if (t->type == WEIR_XV_STR &&
			    weir_iso8601_parse((const char *)t->s, t->n, &ms) == 0)
				;
			else {
				char msg[256];
				const uint8_t *p;
				size_t n;
				snprintf(msg, sizeof(msg), "record %llu: --time gave "
				    "%s, not a time (ms since the epoch or ISO 8601)",
				    (unsigned long long)st.in_records,
				    weir_xv_type_name(t));
				if (weir_record_bytes(&ev.rec, &raw, &p, &n) < 0 || !p)
					n = 0;
				weir_onerr_bad(&st.onerr, msg, n ? p : NULL, n);
				continue;
			}
			r.flags |= WEIR_R_TS;
			r.ts = ms;
		}
		weir_stage_emit(&st, &r);
	}
	cleanup();
	weir_buf_free(&scratch);
	weir_buf_free(&keybuf);
	weir_buf_free(&raw);
	weir_stage_finish(&st);
}
