/*
 * notify.h - the systemd notify protocol (sd_notify(3)) spoken directly:
 * one datagram of "KEY=VALUE\n" lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET ('@' = abstract namespace).  No libsystemd needed.
 */
#ifndef WEIR_NOTIFY_H
#define WEIR_NOTIFY_H

#include "util.h"

typedef struct weir_notify {
	int fd;			/* -1: not under a notify socket */
	int64_t watchdog_ms;	/* WATCHDOG_USEC / 1000, 0: no watchdog */
} weir_notify;

/* Read $NOTIFY_SOCKET and $WATCHDOG_USEC (honouring $WATCHDOG_PID).
 * 0 ok (maybe disabled), -1 with err set when the socket is unusable. */
int weir_notify_open(weir_notify *n, char *err, size_t errsz);
/* Send state ("READY=1", "STATUS=...", ...); a no-op when disabled.
 * -1 with err set on failure. */
int weir_notify_send(weir_notify *n, const char *state, char *err,
    size_t errsz);
void weir_notify_close(weir_notify *n);

#endif
