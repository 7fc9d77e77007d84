/* Progress records and the committed-only filter (lib/progress.c). */
#include <stdio.h>
#include <string.h>

#include "progress.h"
#include "unit.h"

/* A data record of attempt "t/RUN/N" with value v. */
static void
rec(weir_record *r, weir_buf *h, const char *attempt, const char *v)
{
	h->len = 0;
	weir_hdr_put(h, (const uint8_t *)WEIR_ATTEMPT_HDR,
	    strlen(WEIR_ATTEMPT_HDR), (const uint8_t *)attempt,
	    strlen(attempt));
	memset(r, 0, sizeof(*r));
	r->flags = WEIR_R_HEADERS;
	r->hdrs = h->p;
	r->hdrs_len = h->len;
	r->nhdrs = 1;
	r->enc = WEIR_ENC_BYTES;
	r->value = (const uint8_t *)v;
	r->value_len = strlen(v);
}

static int
progress(weir_eosf *f, const char *json)
{
	char err[WEIR_ERRSZ];

	return weir_eosf_progress(f, (const uint8_t *)json, strlen(json), err,
	    sizeof(err));
}

int
main(void)
{
	weir_progress p = { 0 }, q = { 0 };
	weir_buf b = { 0 }, h = { 0 };
	weir_eosf *f = weir_eosf_new(1 << 20);
	weir_record r;
	char err[WEIR_ERRSZ];

	/* encode, decode, ranges */
	p.txid = strdup("t");
	weir_progress_new_run(&p, 3);
	CHECK(!strncmp(p.run, "3-", 2));
	p.id = 7;
	weir_buf_puts(&p.positions, "{\"s\":{\"gen\":5}}");
	CHECK(weir_progress_add(&p, p.run, 5) == 0);
	CHECK(weir_progress_add(&p, p.run, 6) == 0);
	CHECK(weir_progress_add(&p, "1-abc", 2) == 0);
	CHECK(p.nr == 2 && p.r[0].lo == 5 && p.r[0].hi == 6);
	CHECK(weir_progress_encode(&p, &b) == 0);
	CHECK(weir_progress_decode(&q, b.p, b.len, err, sizeof(err)) == 0);
	CHECK_STR(q.txid, "t");
	CHECK(q.gen == 3 && q.id == 7 && q.nr == 2);
	CHECK(weir_progress_has(&q, p.run, 6) && !weir_progress_has(&q, p.run, 7));
	CHECK(weir_progress_has(&q, "1-abc", 2));
	CHECK(weir_progress_decode(&q, (const uint8_t *)"{}", 2, err,
	    sizeof(err)) < 0);

	/* the filter: held until decided, in order; aborted dropped */
	rec(&r, &h, "t/0-aa/1", "a");
	CHECK(weir_eosf_push(f, &r, err, sizeof(err)) == WEIR_EOSF_HELD);
	rec(&r, &h, "t/0-aa/2", "b");
	CHECK(weir_eosf_push(f, &r, err, sizeof(err)) == WEIR_EOSF_HELD);
	CHECK(weir_eosf_pop(f, &r) == 0);
	/* the record of checkpoint 2 lists 1 as committed */
	CHECK(progress(f, "{\"txid\":\"t\",\"run\":\"0-aa\",\"checkpoint\":2,"
	    "\"positions\":{},\"committed\":[[\"0-aa\",1,1]]}") == 0);
	CHECK(weir_eosf_pop(f, &r) == 1);
	CHECK(r.value_len == 1 && r.value[0] == 'a');
	CHECK(weir_eosf_pop(f, &r) == 0);	/* 2 is not decided */
	/* a new run (generation 1) re-did checkpoint 2: 0-aa/2 is dead */
	CHECK(progress(f, "{\"txid\":\"t\",\"run\":\"1-bb\",\"checkpoint\":2,"
	    "\"positions\":{},\"committed\":[[\"0-aa\",1,1]]}") == 0);
	CHECK(weir_eosf_pop(f, &r) == 0);
	CHECK(weir_eosf_dropped(f) == 1 && weir_eosf_held(f) == 0);
	rec(&r, &h, "t/1-bb/2", "c");
	CHECK(weir_eosf_push(f, &r, err, sizeof(err)) == WEIR_EOSF_HELD);
	rec(&r, &h, "t/0-aa/1", "a again");	/* committed: behind what is held */
	CHECK(weir_eosf_push(f, &r, err, sizeof(err)) == WEIR_EOSF_HELD);
	CHECK(progress(f, "{\"txid\":\"t\",\"run\":\"1-bb\",\"checkpoint\":2,"
	    "\"positions\":{},\"committed\":[[\"0-aa\",1,1],[\"1-bb\",2,2]]}") == 0);
	CHECK(weir_eosf_pop(f, &r) == 1 && r.value[0] == 'c');
	CHECK(weir_eosf_pop(f, &r) == 1 && r.value[0] == 'a');
	/* decided at once: committed passes, an older run's drops */
	rec(&r, &h, "t/1-bb/2", "d");
	CHECK(weir_eosf_push(f, &r, err, sizeof(err)) == WEIR_EOSF_PASS);
	rec(&r, &h, "t/0-aa/3", "e");
	CHECK(weir_eosf_push(f, &r, err, sizeof(err)) == WEIR_EOSF_DROP);
	/* no header: not a transaction's */
	memset(&r, 0, sizeof(r));
	CHECK(weir_eosf_push(f, &r, err, sizeof(err)) == WEIR_EOSF_PASS);

	weir_eosf_free(f);
	weir_progress_free(&p);
	weir_progress_free(&q);
	weir_buf_free(&b);
	weir_buf_free(&h);
	UNIT_DONE();
}
