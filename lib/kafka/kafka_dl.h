/*
 * kafka_dl.h - librdkafka, loaded when first needed (dl.h): private to
 * lib/kafka/ (and its unit tests).
 *
 * librdkafka and what it brings (OpenSSL, SASL, zstd, lz4, zlib) took
 * 12 ms of CPU at the start of every program, though only Kafka runs
 * use it.  weir compiles against it but does not link it: each function
 * weir calls is a member of weir__rdk, filled by weir__rdk_load(), and
 * this header turns each call rd_kafka_f(...) into weir__rdk.rd_kafka_f(
 * ...) (a function-like macro: struct rd_kafka_metadata stays a type), so
 * that the code calling librdkafka reads as usual.  Include it in every
 * file that calls librdkafka.  The compiler checks the list: a function
 * called but not listed is an undefined reference when the program is
 * linked; one listed but not mapped is a call of the real function, the
 * same; a mapping without a member does not compile.
 *
 * Every entry point that creates a librdkafka object (or calls it without
 * one) calls weir__rdk_load() first; objects exist only after, so that
 * librdkafka's threads and callbacks find the table filled.
 */
#ifndef WEIR_KAFKA_DL_H
#define WEIR_KAFKA_DL_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Every librdkafka function weir calls, X(name) each. */
#define WEIR_RDK_FUNCS(X) \
	X(rd_kafka_abort_transaction) \
	X(rd_kafka_assign) \
	X(rd_kafka_assignment_lost) \
	X(rd_kafka_begin_transaction) \
	X(rd_kafka_commit_queue) \
	X(rd_kafka_commit_transaction) \
	X(rd_kafka_committed) \
	X(rd_kafka_conf_destroy) \
	X(rd_kafka_conf_enable_sasl_queue) \
	X(rd_kafka_conf_get) \
	X(rd_kafka_conf_new) \
	X(rd_kafka_conf_set) \
	X(rd_kafka_conf_set_dr_msg_cb) \
	X(rd_kafka_conf_set_error_cb) \
	X(rd_kafka_conf_set_log_cb) \
	X(rd_kafka_conf_set_oauthbearer_token_refresh_cb) \
	X(rd_kafka_conf_set_opaque) \
	X(rd_kafka_conf_set_rebalance_cb) \
	X(rd_kafka_consume_batch_queue) \
	X(rd_kafka_consumer_close_queue) \
	X(rd_kafka_consumer_closed) \
	X(rd_kafka_consumer_group_metadata_destroy) \
	X(rd_kafka_consumer_group_metadata_new) \
	X(rd_kafka_consumer_poll) \
	X(rd_kafka_controllerid) \
	X(rd_kafka_destroy) \
	X(rd_kafka_destroy_flags) \
	X(rd_kafka_err2name) \
	X(rd_kafka_err2str) \
	X(rd_kafka_error_destroy) \
	X(rd_kafka_error_is_fatal) \
	X(rd_kafka_error_is_retriable) \
	X(rd_kafka_error_string) \
	X(rd_kafka_error_txn_requires_abort) \
	X(rd_kafka_event_destroy) \
	X(rd_kafka_event_error) \
	X(rd_kafka_event_opaque) \
	X(rd_kafka_event_topic_partition_list) \
	X(rd_kafka_event_type) \
	X(rd_kafka_fatal_error) \
	X(rd_kafka_flush) \
	X(rd_kafka_get_err_descs) \
	X(rd_kafka_get_watermark_offsets) \
	X(rd_kafka_header_add) \
	X(rd_kafka_header_cnt) \
	X(rd_kafka_header_get_all) \
	X(rd_kafka_headers_destroy) \
	X(rd_kafka_headers_new) \
	X(rd_kafka_incremental_assign) \
	X(rd_kafka_incremental_unassign) \
	X(rd_kafka_init_transactions) \
	X(rd_kafka_last_error) \
	X(rd_kafka_message_broker_id) \
	X(rd_kafka_message_destroy) \
	X(rd_kafka_message_errstr) \
	X(rd_kafka_message_headers) \
	X(rd_kafka_message_timestamp) \
	X(rd_kafka_metadata) \
	X(rd_kafka_metadata_destroy) \
	X(rd_kafka_mock_broker_set_down) \
	X(rd_kafka_mock_broker_set_up) \
	X(rd_kafka_mock_clear_request_errors) \
	X(rd_kafka_mock_cluster_bootstraps) \
	X(rd_kafka_mock_cluster_destroy) \
	X(rd_kafka_mock_cluster_new) \
	X(rd_kafka_mock_push_request_errors) \
	X(rd_kafka_mock_push_request_errors_array) \
	X(rd_kafka_mock_topic_create) \
	X(rd_kafka_new) \
	X(rd_kafka_oauthbearer_set_token) \
	X(rd_kafka_oauthbearer_set_token_failure) \
	X(rd_kafka_offsets_for_times) \
	X(rd_kafka_offsets_store) \
	X(rd_kafka_opaque) \
	X(rd_kafka_outq_len) \
	X(rd_kafka_pause_partitions) \
	X(rd_kafka_poll) \
	X(rd_kafka_poll_set_consumer) \
	X(rd_kafka_producev) \
	X(rd_kafka_query_watermark_offsets) \
	X(rd_kafka_queue_destroy) \
	X(rd_kafka_queue_get_consumer) \
	X(rd_kafka_queue_new) \
	X(rd_kafka_queue_poll) \
	X(rd_kafka_rebalance_protocol) \
	X(rd_kafka_resume_partitions) \
	X(rd_kafka_sasl_background_callbacks_enable) \
	X(rd_kafka_send_offsets_to_transaction) \
	X(rd_kafka_set_log_queue) \
	X(rd_kafka_subscribe) \
	X(rd_kafka_topic_destroy) \
	X(rd_kafka_topic_name) \
	X(rd_kafka_topic_new) \
	X(rd_kafka_topic_partition_list_add) \
	X(rd_kafka_topic_partition_list_copy) \
	X(rd_kafka_topic_partition_list_destroy) \
	X(rd_kafka_topic_partition_list_find) \
	X(rd_kafka_topic_partition_list_new) \
	X(rd_kafka_topic_partition_list_sort) \
	X(rd_kafka_version_str)

typedef struct weir__rdk_api {
#define WEIR_RDK_MEMBER(f) __typeof__(f) *f;
	WEIR_RDK_FUNCS(WEIR_RDK_MEMBER)
#undef WEIR_RDK_MEMBER
} weir__rdk_api;

extern weir__rdk_api weir__rdk;

/* 0 once librdkafka is loaded (the first call loads it), or WEIR_FAIL_IO
 * with a message naming the library or the missing function. */
int weir__rdk_load(char *err, size_t errsz);

#ifndef WEIR_RDK_NO_MAP	/* kafka_dl.c, which fills the table */
#define rd_kafka_abort_transaction(...) \
    weir__rdk.rd_kafka_abort_transaction(__VA_ARGS__)
#define rd_kafka_assign(...) weir__rdk.rd_kafka_assign(__VA_ARGS__)
#define rd_kafka_assignment_lost(...) \
    weir__rdk.rd_kafka_assignment_lost(__VA_ARGS__)
#define rd_kafka_begin_transaction(...) \
    weir__rdk.rd_kafka_begin_transaction(__VA_ARGS__)
#define rd_kafka_commit_queue(...) weir__rdk.rd_kafka_commit_queue(__VA_ARGS__)
#define rd_kafka_commit_transaction(...) \
    weir__rdk.rd_kafka_commit_transaction(__VA_ARGS__)
#define rd_kafka_committed(...) weir__rdk.rd_kafka_committed(__VA_ARGS__)
#define rd_kafka_conf_destroy(...) weir__rdk.rd_kafka_conf_destroy(__VA_ARGS__)
#define rd_kafka_conf_enable_sasl_queue(...) \
    weir__rdk.rd_kafka_conf_enable_sasl_queue(__VA_ARGS__)
#define rd_kafka_conf_get(...) weir__rdk.rd_kafka_conf_get(__VA_ARGS__)
#define rd_kafka_conf_new(...) weir__rdk.rd_kafka_conf_new(__VA_ARGS__)
#define rd_kafka_conf_set(...) weir__rdk.rd_kafka_conf_set(__VA_ARGS__)
#define rd_kafka_conf_set_dr_msg_cb(...) \
    weir__rdk.rd_kafka_conf_set_dr_msg_cb(__VA_ARGS__)
#define rd_kafka_conf_set_error_cb(...) \
    weir__rdk.rd_kafka_conf_set_error_cb(__VA_ARGS__)
#define rd_kafka_conf_set_log_cb(...) \
    weir__rdk.rd_kafka_conf_set_log_cb(__VA_ARGS__)
#define rd_kafka_conf_set_oauthbearer_token_refresh_cb(...) \
    weir__rdk.rd_kafka_conf_set_oauthbearer_token_refresh_cb(__VA_ARGS__)
#define rd_kafka_conf_set_opaque(...) \
    weir__rdk.rd_kafka_conf_set_opaque(__VA_ARGS__)
#define rd_kafka_conf_set_rebalance_cb(...) \
    weir__rdk.rd_kafka_conf_set_rebalance_cb(__VA_ARGS__)
#define rd_kafka_consume_batch_queue(...) \
    weir__rdk.rd_kafka_consume_batch_queue(__VA_ARGS__)
#define rd_kafka_consumer_close_queue(...) \
    weir__rdk.rd_kafka_consumer_close_queue(__VA_ARGS__)
#define rd_kafka_consumer_closed(...) \
    weir__rdk.rd_kafka_consumer_closed(__VA_ARGS__)
#define rd_kafka_consumer_group_metadata_destroy(...) \
    weir__rdk.rd_kafka_consumer_group_metadata_destroy(__VA_ARGS__)
#define rd_kafka_consumer_group_metadata_new(...) \
    weir__rdk.rd_kafka_consumer_group_metadata_new(__VA_ARGS__)
#define rd_kafka_consumer_poll(...) \
    weir__rdk.rd_kafka_consumer_poll(__VA_ARGS__)
#define rd_kafka_controllerid(...) weir__rdk.rd_kafka_controllerid(__VA_ARGS__)
#define rd_kafka_destroy(...) weir__rdk.rd_kafka_destroy(__VA_ARGS__)
#define rd_kafka_destroy_flags(...) \
    weir__rdk.rd_kafka_destroy_flags(__VA_ARGS__)
#define rd_kafka_err2name(...) weir__rdk.rd_kafka_err2name(__VA_ARGS__)
#define rd_kafka_err2str(...) weir__rdk.rd_kafka_err2str(__VA_ARGS__)
#define rd_kafka_error_destroy(...) \
    weir__rdk.rd_kafka_error_destroy(__VA_ARGS__)
#define rd_kafka_error_is_fatal(...) \
    weir__rdk.rd_kafka_error_is_fatal(__VA_ARGS__)
#define rd_kafka_error_is_retriable(...) \
    weir__rdk.rd_kafka_error_is_retriable(__VA_ARGS__)
#define rd_kafka_error_string(...) weir__rdk.rd_kafka_error_string(__VA_ARGS__)
#define rd_kafka_error_txn_requires_abort(...) \
    weir__rdk.rd_kafka_error_txn_requires_abort(__VA_ARGS__)
#define rd_kafka_event_destroy(...) \
    weir__rdk.rd_kafka_event_destroy(__VA_ARGS__)
#define rd_kafka_event_error(...) weir__rdk.rd_kafka_event_error(__VA_ARGS__)
#define rd_kafka_event_opaque(...) weir__rdk.rd_kafka_event_opaque(__VA_ARGS__)
#define rd_kafka_event_topic_partition_list(...) \
    weir__rdk.rd_kafka_event_topic_partition_list(__VA_ARGS__)
#define rd_kafka_event_type(...) weir__rdk.rd_kafka_event_type(__VA_ARGS__)
#define rd_kafka_fatal_error(...) weir__rdk.rd_kafka_fatal_error(__VA_ARGS__)
#define rd_kafka_flush(...) weir__rdk.rd_kafka_flush(__VA_ARGS__)
#define rd_kafka_get_err_descs(...) \
    weir__rdk.rd_kafka_get_err_descs(__VA_ARGS__)
#define rd_kafka_get_watermark_offsets(...) \
    weir__rdk.rd_kafka_get_watermark_offsets(__VA_ARGS__)
#define rd_kafka_header_add(...) weir__rdk.rd_kafka_header_add(__VA_ARGS__)
#define rd_kafka_header_cnt(...) weir__rdk.rd_kafka_header_cnt(__VA_ARGS__)
#define rd_kafka_header_get_all(...) \
    weir__rdk.rd_kafka_header_get_all(__VA_ARGS__)
#define rd_kafka_headers_destroy(...) \
    weir__rdk.rd_kafka_headers_destroy(__VA_ARGS__)
#define rd_kafka_headers_new(...) weir__rdk.rd_kafka_headers_new(__VA_ARGS__)
#define rd_kafka_incremental_assign(...) \
    weir__rdk.rd_kafka_incremental_assign(__VA_ARGS__)
#define rd_kafka_incremental_unassign(...) \
    weir__rdk.rd_kafka_incremental_unassign(__VA_ARGS__)
#define rd_kafka_init_transactions(...) \
    weir__rdk.rd_kafka_init_transactions(__VA_ARGS__)
#define rd_kafka_last_error(...) weir__rdk.rd_kafka_last_error(__VA_ARGS__)
#define rd_kafka_message_broker_id(...) \
    weir__rdk.rd_kafka_message_broker_id(__VA_ARGS__)
#define rd_kafka_message_destroy(...) \
    weir__rdk.rd_kafka_message_destroy(__VA_ARGS__)
#define rd_kafka_message_errstr(...) \
    weir__rdk.rd_kafka_message_errstr(__VA_ARGS__)
#define rd_kafka_message_headers(...) \
    weir__rdk.rd_kafka_message_headers(__VA_ARGS__)
#define rd_kafka_message_timestamp(...) \
    weir__rdk.rd_kafka_message_timestamp(__VA_ARGS__)
#define rd_kafka_metadata(...) weir__rdk.rd_kafka_metadata(__VA_ARGS__)
#define rd_kafka_metadata_destroy(...) \
    weir__rdk.rd_kafka_metadata_destroy(__VA_ARGS__)
#define rd_kafka_mock_broker_set_down(...) \
    weir__rdk.rd_kafka_mock_broker_set_down(__VA_ARGS__)
#define rd_kafka_mock_broker_set_up(...) \
    weir__rdk.rd_kafka_mock_broker_set_up(__VA_ARGS__)
#define rd_kafka_mock_clear_request_errors(...) \
    weir__rdk.rd_kafka_mock_clear_request_errors(__VA_ARGS__)
#define rd_kafka_mock_cluster_bootstraps(...) \
    weir__rdk.rd_kafka_mock_cluster_bootstraps(__VA_ARGS__)
#define rd_kafka_mock_cluster_destroy(...) \
    weir__rdk.rd_kafka_mock_cluster_destroy(__VA_ARGS__)
#define rd_kafka_mock_cluster_new(...) \
    weir__rdk.rd_kafka_mock_cluster_new(__VA_ARGS__)
#define rd_kafka_mock_push_request_errors(...) \
    weir__rdk.rd_kafka_mock_push_request_errors(__VA_ARGS__)
#define rd_kafka_mock_push_request_errors_array(...) \
    weir__rdk.rd_kafka_mock_push_request_errors_array(__VA_ARGS__)
#define rd_kafka_mock_topic_create(...) \
    weir__rdk.rd_kafka_mock_topic_create(__VA_ARGS__)
#define rd_kafka_new(...) weir__rdk.rd_kafka_new(__VA_ARGS__)
#define rd_kafka_oauthbearer_set_token(...) \
    weir__rdk.rd_kafka_oauthbearer_set_token(__VA_ARGS__)
#define rd_kafka_oauthbearer_set_token_failure(...) \
    weir__rdk.rd_kafka_oauthbearer_set_token_failure(__VA_ARGS__)
#define rd_kafka_offsets_for_times(...) \
    weir__rdk.rd_kafka_offsets_for_times(__VA_ARGS__)
#define rd_kafka_offsets_store(...) \
    weir__rdk.rd_kafka_offsets_store(__VA_ARGS__)
#define rd_kafka_opaque(...) weir__rdk.rd_kafka_opaque(__VA_ARGS__)
#define rd_kafka_outq_len(...) weir__rdk.rd_kafka_outq_len(__VA_ARGS__)
#define rd_kafka_pause_partitions(...) \
    weir__rdk.rd_kafka_pause_partitions(__VA_ARGS__)
#define rd_kafka_poll(...) weir__rdk.rd_kafka_poll(__VA_ARGS__)
#define rd_kafka_poll_set_consumer(...) \
    weir__rdk.rd_kafka_poll_set_consumer(__VA_ARGS__)
#define rd_kafka_producev(...) weir__rdk.rd_kafka_producev(__VA_ARGS__)
#define rd_kafka_query_watermark_offsets(...) \
    weir__rdk.rd_kafka_query_watermark_offsets(__VA_ARGS__)
#define rd_kafka_queue_destroy(...) \
    weir__rdk.rd_kafka_queue_destroy(__VA_ARGS__)
#define rd_kafka_queue_get_consumer(...) \
    weir__rdk.rd_kafka_queue_get_consumer(__VA_ARGS__)
#define rd_kafka_queue_new(...) weir__rdk.rd_kafka_queue_new(__VA_ARGS__)
#define rd_kafka_queue_poll(...) weir__rdk.rd_kafka_queue_poll(__VA_ARGS__)
#define rd_kafka_rebalance_protocol(...) \
    weir__rdk.rd_kafka_rebalance_protocol(__VA_ARGS__)
#define rd_kafka_resume_partitions(...) \
    weir__rdk.rd_kafka_resume_partitions(__VA_ARGS__)
#define rd_kafka_sasl_background_callbacks_enable(...) \
    weir__rdk.rd_kafka_sasl_background_callbacks_enable(__VA_ARGS__)
#define rd_kafka_send_offsets_to_transaction(...) \
    weir__rdk.rd_kafka_send_offsets_to_transaction(__VA_ARGS__)
#define rd_kafka_set_log_queue(...) \
    weir__rdk.rd_kafka_set_log_queue(__VA_ARGS__)
#define rd_kafka_subscribe(...) weir__rdk.rd_kafka_subscribe(__VA_ARGS__)
#define rd_kafka_topic_destroy(...) \
    weir__rdk.rd_kafka_topic_destroy(__VA_ARGS__)
#define rd_kafka_topic_name(...) weir__rdk.rd_kafka_topic_name(__VA_ARGS__)
#define rd_kafka_topic_new(...) weir__rdk.rd_kafka_topic_new(__VA_ARGS__)
#define rd_kafka_topic_partition_list_add(...) \
    weir__rdk.rd_kafka_topic_partition_list_add(__VA_ARGS__)
#define rd_kafka_topic_partition_list_copy(...) \
    weir__rdk.rd_kafka_topic_partition_list_copy(__VA_ARGS__)
#define rd_kafka_topic_partition_list_destroy(...) \
    weir__rdk.rd_kafka_topic_partition_list_destroy(__VA_ARGS__)
#define rd_kafka_topic_partition_list_find(...) \
    weir__rdk.rd_kafka_topic_partition_list_find(__VA_ARGS__)
#define rd_kafka_topic_partition_list_new(...) \
    weir__rdk.rd_kafka_topic_partition_list_new(__VA_ARGS__)
#define rd_kafka_topic_partition_list_sort(...) \
    weir__rdk.rd_kafka_topic_partition_list_sort(__VA_ARGS__)
#define rd_kafka_version_str(...) weir__rdk.rd_kafka_version_str(__VA_ARGS__)
#endif

#endif
