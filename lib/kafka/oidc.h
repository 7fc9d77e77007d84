/*
 * oidc.h - SASL/OAUTHBEARER tokens from an OAuth 2.0 token endpoint
 * (the client-credentials grant, KIP-768) fetched by weir with libcurl,
 * for a librdkafka built without its own OIDC support (Debian 12's 2.0.2:
 * builtin.features lacks "oidc").  Private to lib/kafka.
 *
 * The properties of librdkafka's OIDC (sasl.oauthbearer.method,
 * .client.id, .client.secret, .token.endpoint.url, .scope, .extensions,
 * .sub.claim.name, .grant.type, and https.ca.location) are then kept by
 * weir, not given to librdkafka (which refuses them):
 * weir__oidc_property() stores them in
 * the configuration's sasl.oauthbearer.config (a sensitive property,
 * never shown by librdkafka, and the one librdkafka hands to the token
 * refresh callback).  With sasl.oauthbearer.method=oidc,
 * weir__oidc_conf() installs weir's refresh callback; librdkafka calls it
 * when the client starts and again 80% through each token's lifetime.  A
 * refresh that fails while the current token (kept in the kbase) has
 * life left sets it again with a quarter of that life as the next try,
 * and warns; else it is an authentication failure
 * (rd_kafka_oauthbearer_set_token_failure).  No message names the client
 * secret or a token.
 */
#ifndef WEIR_OIDC_H
#define WEIR_OIDC_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

/* A user's property: 1 kept by weir, 0 not one of weir's (give it to
 * librdkafka), or WEIR_FAIL_USAGE with a message that names no value. */
int weir__oidc_property(rd_kafka_conf_t *conf, const char *name,
    const char *value, char *err, size_t errsz);
/* Before rd_kafka_new(): 1 when weir fetches the tokens (its refresh
 * callback and the SASL queue are set), 0 when not, WEIR_FAIL_USAGE for
 * an incomplete or contradictory OIDC configuration. */
int weir__oidc_conf(rd_kafka_conf_t *conf, char *err, size_t errsz);
/* After rd_kafka_new() of a conf weir__oidc_conf() returned 1 for: the
 * refresh callback runs on librdkafka's background thread, so that the
 * first connection (which waits for a token) needs no poll. */
int weir__oidc_start(rd_kafka_t *rk, char *err, size_t errsz);

/*
 * The token endpoint's answer (a JSON object with access_token, and
 * optionally expires_in): the token (malloc'd, the caller frees it), the
 * principal from the JWT payload's subclaim, and when the token expires,
 * in ms since the epoch: the payload's exp, or now_ms + expires_in s,
 * the earlier of the two when both are there.  0, or -1 with a message
 * that quotes neither the token nor the body.
 */
int weir__oidc_parse_token(const char *body, size_t n, const char *subclaim,
    int64_t now_ms, char **token, char *principal, size_t psz,
    int64_t *expiry_ms, char *err, size_t errsz);

#endif
