/*
 * listen.c - where `invigil feed --listen HOST:PORT` listens.
 *
 * libwebsockets takes an interface name or an IP literal and, given
 * anything else ("localhost", "256.1.1.1"), logs that the interface does
 * not exist and listens nowhere.  The host is therefore resolved here, once
 * at start-up, and lws is handed the numeric address chosen; whether that
 * address is loopback decides whether the feed may run without
 * authentication (invigil-feed(1), SECURITY).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "feed/feed.h"

int
feed_listen_resolve(const char *host, char *addr, size_t addrlen,
    int *loopback, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	char		 name[256], shown[256 * 4 + 1];
	size_t		 n = strlen(host);
	int		 rc;

	proto_sanitize(host, n, shown, sizeof shown);
	/* [::1] as in a URL: the brackets are not part of the address. */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof name) {
		snprintf(err, errlen, "--listen: \"%s\" is not a host name or "
		    "an IP address; give one, e.g. 127.0.0.1:7450", shown);
		return -1;
	}
	memcpy(name, host, n);
	name[n] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(name, NULL, &hints, &res)) != 0 || res == NULL) {
		snprintf(err, errlen, "--listen: cannot resolve \"%s\" (%s); "
		    "give an address of this machine, e.g. 127.0.0.1:7450",
		    shown, rc != 0 ? gai_strerror(rc) : "no address");
		if (res != NULL)
			freeaddrinfo(res);
		return -1;
	}
	rc = getnameinfo(res->ai_addr, res->ai_addrlen, addr, (socklen_t)addrlen,
	    NULL, 0, NI_NUMERICHOST);
	*loopback = feed_address_is_loopback(res->ai_addr);
	freeaddrinfo(res);
	if (rc != 0) {
		snprintf(err, errlen, "--listen: cannot use the address of "
		    "\"%s\" (%s); give an IP address", shown, gai_strerror(rc));
		return -1;
	}
	return 0;
}

int
feed_address_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*in4;
	const struct sockaddr_in6	*in6;
	const uint8_t			*b;

	if (sa->sa_family == AF_INET) {
		in4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		in6 = (const struct sockaddr_in6 *)(const void *)sa;
		b = in6->sin6_addr.s6_addr;
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return 1;
		/* ::ffff:127.x.y.z */
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
	}
	return 0;
}

int
feed_listen_probe(const char *addr, int port, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	char		 service[16];
	int		 fd, on = 1, rc, saved;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(service, sizeof service, "%d", port);
	if ((rc = getaddrinfo(addr, service, &hints, &res)) != 0) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s; give an IP "
		    "address of this machine", addr, port, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", addr, port,
		    strerror(errno));
		freeaddrinfo(res);
		return -1;
	}
	/* As lws binds: a port left in TIME_WAIT is free. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	rc = bind(fd, res->ai_addr, res->ai_addrlen);
	saved = errno;
	close(fd);
	freeaddrinfo(res);
	if (rc == 0)
		return 0;
	if (saved == EADDRINUSE)
		snprintf(err, errlen, "cannot listen on %s:%d: the port is in "
		    "use; stop what holds it or give another port", addr, port);
	else if (saved == EADDRNOTAVAIL)
		snprintf(err, errlen, "cannot listen on %s:%d: %s is not an "
		    "address of this machine; give one of its own", addr, port,
		    addr);
	else
		snprintf(err, errlen, "cannot listen on %s:%d: %s", addr, port,
		    strerror(saved));
	return -1;
}
