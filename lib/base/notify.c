/* notify.c - sd_notify over $NOTIFY_SOCKET, without libsystemd. */
#include "notify.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_un addr;
static socklen_t addrlen;

int
weir_notify_open(weir_notify *n, char *err, size_t errsz)
{
	const char *s = getenv("NOTIFY_SOCKET"), *w, *wp;
	size_t len;

	n->fd = -1;
	n->watchdog_ms = 0;
	w = getenv("WATCHDOG_USEC");
	wp = getenv("WATCHDOG_PID");
	if (w && *w && (!wp || !*wp || atol(wp) == (long)getpid())) {
		long long us = atoll(w);
		if (us > 0)
			n->watchdog_ms = us / 1000 ? us / 1000 : 1;
	}
	if (!s || !*s)
		return 0;
	len = strlen(s);
	if ((s[0] != '/' && s[0] != '@') || len >= sizeof(addr.sun_path)) {
		weir_seterr(err, errsz, "NOTIFY_SOCKET '%s' is not a socket "
		    "path", s);
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, s, len);
	if (s[0] == '@')
		addr.sun_path[0] = 0;
	addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0) {
		weir_seterr(err, errsz, "notify socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
weir_notify_send(weir_notify *n, const char *state, char *err, size_t errsz)
{
	if (n->fd < 0)
		return 0;
	if (sendto(n->fd, state, strlen(state), MSG_NOSIGNAL | MSG_DONTWAIT,
	    (struct sockaddr *)&addr, addrlen) < 0) {
		weir_seterr(err, errsz, "notify %s: %s", getenv("NOTIFY_SOCKET"),
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
weir_notify_close(weir_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
