/*
 * The C peer of the side-by-side harness: one thread, level-triggered epoll, non-blocking sockets,
 * and the same minimal handler as every bench server (count "\r\n\r\n"-terminated requests in what
 * was read, matching across reads; answer a fixed 200 response per request, in order, with one
 * write per read). It is the floor a runtime on epoll can hope to reach.
 *
 * Build: gcc -O2 -o epoll_server epoll_server.c      Run: ./epoll_server PORT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";
#define RESPONSE_LEN (sizeof(RESPONSE) - 1)
#define MAX_FDS 65536
#define READ_SIZE 65536
#define MAX_BATCH 1024

/* Per connection: how much of "\r\n\r\n" the previous read ended with. */
static unsigned char matched[MAX_FDS];
static char out[RESPONSE_LEN * MAX_BATCH];

static int count_requests(int fd, const char *data, ssize_t n) {
    static const char END[] = "\r\n\r\n";
    int state = matched[fd], requests = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (data[i] == END[state]) {
            if (++state == 4) { requests++; state = 0; }
        } else {
            state = data[i] == '\r' ? 1 : 0;
        }
    }
    matched[fd] = (unsigned char) state;
    return requests;
}

static void serve(int fd) {
    static char in[READ_SIZE];
    ssize_t n = read(fd, in, sizeof in);
    if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) close(fd);
        return;
    }
    int requests = count_requests(fd, in, n);
    while (requests > 0) {
        int batch = requests < MAX_BATCH ? requests : MAX_BATCH;
        size_t len = (size_t) batch * RESPONSE_LEN, done = 0;
        while (done < len) { /* tiny responses: the socket buffer takes them; block-free retry is enough here */
            ssize_t w = send(fd, out + done, len - done, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                close(fd);
                return;
            }
            done += (size_t) w;
        }
        requests -= batch;
    }
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    for (int i = 0; i < MAX_BATCH; i++) memcpy(out + (size_t) i * RESPONSE_LEN, RESPONSE, RESPONSE_LEN);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) || listen(listener, 1024)) {
        perror("bind/listen");
        return 1;
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);
    struct epoll_event events[1024];
    for (;;) {
        int n = epoll_wait(ep, events, 1024, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd != listener) {
                serve(fd);
                continue;
            }
            for (int c; (c = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
                if (c >= MAX_FDS) { close(c); continue; }
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                matched[c] = 0;
                struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
            }
        }
    }
}
