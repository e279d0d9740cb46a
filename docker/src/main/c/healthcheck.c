/*
 * /healthcheck for the Wharf image: the ECS container health check.
 *
 * Same contract as ADOT's cmd/healthcheck: `/healthcheck [--port N]` sends GET / to
 * 127.0.0.1:N (default 13133, the health_check extension), prints "STATUS: <code>",
 * exits 0 on 200 and 1 otherwise; a port outside 1..65535 or a connection error exits 1.
 *
 * Why C and not Java: ECS runs this inside the task's memory limit every interval. Built
 * statically it needs no libraries, starts in about a millisecond and peaks under 1 MiB RSS,
 * where a JVM launch costs tens of MiB and a hundred milliseconds or more (benchmarks/README.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define DEFAULT_PORT 13133
/* Never give up before ECS does: its health-check timeout is at most 60 s. */
#define IO_TIMEOUT_SECONDS 60

static int parse_port(const char *text, int *port) {
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1 || value > 65535) {
        return -1;
    }
    *port = (int) value;
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: /healthcheck [--port N]  (probes http://127.0.0.1:N/, default N=%d)\n", DEFAULT_PORT);
}

/* Flag syntax of Go's flag package, which ADOT's probe uses: -port N, --port N, -port=N, --port=N. */
static int parse_args(int argc, char **argv, int *port) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *name = arg;
        if (name[0] == '-') name++;
        if (name[0] == '-') name++;
        if (name == arg) {
            usage();
            return -1;
        }
        const char *value = NULL;
        if (strncmp(name, "port=", 5) == 0) {
            value = name + 5;
        } else if (strcmp(name, "port") == 0 && i + 1 < argc) {
            value = argv[++i];
        } else if (strcmp(name, "h") == 0 || strcmp(name, "help") == 0) {
            usage();
            return -1;
        } else {
            fprintf(stderr, "flag provided but not defined or without value: %s\n", arg);
            usage();
            return -1;
        }
        if (parse_port(value, port) != 0) {
            fprintf(stderr, "invalid port: %s (must be an integer in 1..65535)\n", value);
            return -1;
        }
    }
    return 0;
}

static int fail_io(int port, const char *operation) {
    fprintf(stderr, "unable to retrieve health status: Get \"http://127.0.0.1:%d/\": %s tcp 127.0.0.1:%d: %s\n",
            port, operation, port, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    int port = DEFAULT_PORT;
    if (parse_args(argc, argv, &port) != 0) {
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return fail_io(port, "socket");
    }
    struct timeval timeout = {.tv_sec = IO_TIMEOUT_SECONDS, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short) port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        return fail_io(port, "dial");
    }
    char request[160];
    int length = snprintf(request, sizeof request,
                          "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: wharf-healthcheck\r\n"
                          "Connection: close\r\n\r\n", port);
    for (int sent = 0; sent < length;) {
        ssize_t n = write(fd, request + sent, (size_t) (length - sent));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail_io(port, "write");
        sent += (int) n;
    }
    /* Only the status line matters: "HTTP/1.x NNN reason". */
    char response[64];
    size_t have = 0;
    while (have < sizeof response - 1 && memchr(response, '\n', have) == NULL) {
        ssize_t n = read(fd, response + have, sizeof response - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_io(port, "read");
        if (n == 0) break;
        have += (size_t) n;
    }
    close(fd);
    response[have] = '\0';
    int status = 0;
    if (strncmp(response, "HTTP/", 5) != 0 || sscanf(response, "HTTP/%*s %3d", &status) != 1) {
        fprintf(stderr, "unable to retrieve health status: malformed HTTP response from 127.0.0.1:%d\n", port);
        return 1;
    }
    printf("STATUS: %d\n", status);
    return status == 200 ? 0 : 1;
}
