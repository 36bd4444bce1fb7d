/*
 * Loopback RTP receiver for the benchmarks (see receivers.ts): N UDP sockets on 127.0.0.1, each
 * packet timestamped by the kernel when it arrives (SO_TIMESTAMPNS), so how late this process
 * gets to read it cannot add to what is measured, and reading costs a few µs a packet (one
 * process holds thousands of sockets without taking the sender's CPU).
 *
 * In `first` mode the sockets are not watched at all: their packets wait, stamped, in the socket
 * buffers until a report reads them. A packet arriving at a watched socket calls into epoll and may
 * wake this process, and on loopback the sender's own send pays for both: a C loop sending one
 * packet to each of 10,000 watched sockets took 70–90 ms here, to unwatched ones 39–64 ms. A
 * cluster across a real network costs the sender no such thing. `lateness` mode must read as the
 * packets come (a stream would not fit in a socket buffer), so it looks every POLL_MS rather
 * than sleeping in epoll_wait: 1,000 streams over two sender threads had 261–3,359 packets late
 * (> 20 ms) to receivers woken per packet, none to polling ones (the stamp is the kernel's).
 *
 * Usage: rtp-receiver <lateness|first> <sockets> <clock Hz>
 * Prints "ready [port,...]" once every socket is bound (even ports, as RTP wants). Then, on
 * stdin, "report" answers with one JSON line of what arrived since the previous report (after
 * 200 ms more of reading, for packets still queued) and "end" exits.
 * - lateness: {"lateness":[ms,...]}: per packet, how far behind its media time it arrived,
 *   counted from the first packet at that socket;
 * - first: {"first":[ms|null,...],"packets":n}: per socket, its first RTP packet's arrival on
 *   CLOCK_MONOTONIC in ms (Node's process.hrtime clock).
 * RTCP (payload type byte 200-204) is ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PACKET_BYTES 2048
#define POLL_MS 1

static double ms_of(struct timespec t) { return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }

static double now_ms(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return ms_of(t);
}

struct origin {
  int set;
  double at;
  uint32_t ts;
};

static int lateness_mode;
static double clock_khz;
static int count;
static int *fds;
static struct origin *origins;
static double *first; /* CLOCK_REALTIME ms of the first packet, 0 = none */
static long packets;
static double *lateness;
static size_t lateness_len, lateness_cap;

static void record(int i, const unsigned char *msg, ssize_t len, double at) {
  if (len < 12 || (msg[1] >= 200 && msg[1] <= 204)) return;
  packets++;
  if (!lateness_mode) {
    if (first[i] == 0) first[i] = at;
    return;
  }
  uint32_t ts = (uint32_t)msg[4] << 24 | (uint32_t)msg[5] << 16 | (uint32_t)msg[6] << 8 | msg[7];
  double late = 0;
  if (!origins[i].set) {
    origins[i] = (struct origin){1, at, ts};
  } else {
    late = at - (origins[i].at + (double)(uint32_t)(ts - origins[i].ts) / clock_khz);
  }
  if (lateness_len == lateness_cap) {
    lateness_cap = lateness_cap ? lateness_cap * 2 : 1 << 16;
    lateness = realloc(lateness, lateness_cap * sizeof *lateness);
    if (!lateness) exit(3);
  }
  lateness[lateness_len++] = late;
}

/* Reads everything queued on socket i. */
static void drain(int i) {
  static unsigned char bufs[BATCH][PACKET_BYTES];
  static char controls[BATCH][CMSG_SPACE(sizeof(struct timespec))];
  static struct iovec iovs[BATCH];
  static struct mmsghdr msgs[BATCH];
  for (;;) {
    for (int k = 0; k < BATCH; k++) {
      iovs[k] = (struct iovec){bufs[k], PACKET_BYTES};
      memset(&msgs[k], 0, sizeof msgs[k]);
      msgs[k].msg_hdr.msg_iov = &iovs[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_control = controls[k];
      msgs[k].msg_hdr.msg_controllen = sizeof controls[k];
    }
    int n = recvmmsg(fds[i], msgs, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) return;
    for (int k = 0; k < n; k++) {
      double at = 0;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[k].msg_hdr); c; c = CMSG_NXTHDR(&msgs[k].msg_hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec t;
          memcpy(&t, CMSG_DATA(c), sizeof t);
          at = ms_of(t);
        }
      }
      if (at == 0) at = now_ms(CLOCK_REALTIME);
      record(i, bufs[k], msgs[k].msg_len, at);
    }
    if (n < BATCH) return;
  }
}

static void report(void) {
  if (lateness_mode) {
    fputs("{\"lateness\":[", stdout);
    for (size_t k = 0; k < lateness_len; k++) printf(k ? ",%.3f" : "%.3f", lateness[k]);
    fputs("]}\n", stdout);
    lateness_len = 0;
    memset(origins, 0, count * sizeof *origins);
  } else {
    double offset = now_ms(CLOCK_MONOTONIC) - now_ms(CLOCK_REALTIME);
    fputs("{\"first\":[", stdout);
    for (int i = 0; i < count; i++) {
      if (i) fputc(',', stdout);
      if (first[i] == 0) fputs("null", stdout);
      else printf("%.3f", first[i] + offset);
    }
    printf("],\"packets\":%ld}\n", packets);
    memset(first, 0, count * sizeof *first);
  }
  packets = 0;
  fflush(stdout);
}

static int even_socket(void) {
  int odd[64], nodd = 0, fd = -1;
  for (;;) {
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) exit(4);
    int on = 1, rcvbuf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(fd, (struct sockaddr *)&a, &len) < 0) exit(5);
    if (ntohs(a.sin_port) % 2 == 0 || nodd == 64) break;
    odd[nodd++] = fd; /* kept open meanwhile so the kernel does not offer that port again */
  }
  for (int k = 0; k < nodd; k++) close(odd[k]);
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  lateness_mode = strcmp(argv[1], "lateness") == 0;
  count = atoi(argv[2]);
  clock_khz = atof(argv[3]) / 1000;
  fds = calloc(count, sizeof *fds);
  origins = calloc(count, sizeof *origins);
  first = calloc(count, sizeof *first);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  fputs("ready [", stdout);
  for (int i = 0; i < count; i++) {
    fds[i] = even_socket();
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(fds[i], (struct sockaddr *)&a, &len);
    printf(i ? ",%d" : "%d", ntohs(a.sin_port));
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (lateness_mode) epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
  }
  fputs("]\n", stdout);
  fflush(stdout);
  struct epoll_event in = {.events = EPOLLIN, .data.u32 = (uint32_t)count};
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in);

  char line[256];
  size_t line_len = 0;
  double report_at = 0; /* CLOCK_MONOTONIC ms at which a requested report is written */
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep, events, 256, 0);
    if (n < 0 && errno != EINTR) return 6;
    if (n == 0) {
      struct timespec nap = {0, POLL_MS * 1000000L};
      nanosleep(&nap, NULL);
    }
    for (int k = 0; k < n; k++) {
      uint32_t i = events[k].data.u32;
      if (i < (uint32_t)count) {
        drain(i);
        continue;
      }
      char c;
      ssize_t r;
      while ((r = read(0, &c, 1)) == 1 && c != '\n')
        if (line_len < sizeof line - 1) line[line_len++] = c;
      if (r == 0) return 0; /* stdin closed: the parent is gone */
      line[line_len] = 0;
      line_len = 0;
      if (strcmp(line, "end") == 0) return 0;
      if (strcmp(line, "report") == 0) report_at = now_ms(CLOCK_MONOTONIC) + 200;
    }
    if (report_at && now_ms(CLOCK_MONOTONIC) >= report_at) {
      for (int i = 0; i < count; i++) drain(i);
      report();
      report_at = 0;
    }
  }
}
