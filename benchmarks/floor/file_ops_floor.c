/*
 * The floor under forward-lock's file backend: what the file operations of one
 * acquire+release cost in C, with no JVM and no safety check, next to what Lucene's
 * NativeFSLockFactory does to a lock file that it keeps. See docs/performance.md,
 * section 8, "Back on an Intel guest (session 11)".
 *
 *   gcc -O2 -o /tmp/file_ops_floor benchmarks/floor/file_ops_floor.c
 *   mkdir -p /tmp/floor /dev/shm/floor
 *   /tmp/file_ops_floor /tmp/floor 20000 && /tmp/file_ops_floor /dev/shm/floor 20000
 *
 * Each loop runs N times, three rounds; the last round is the one to read.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_nanos(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void report(const char *what, double started, int n) {
	printf("%-58s %6.2f us\n", what, (now_nanos() - started) / n / 1000);
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s DIR CYCLES\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	int n = atoi(argv[2]);
	char lock[4096], holder[4096], temp[4096], kept[4096];
	snprintf(lock, sizeof lock, "%s/floor.lock", dir);
	snprintf(holder, sizeof holder, "%s/floor.lock.holder", dir);
	snprintf(temp, sizeof temp, "%s/floor.lock.holder.tmp", dir);
	snprintf(kept, sizeof kept, "%s/kept.lock", dir);
	char record[200];
	memset(record, 'a', sizeof record - 1);
	record[sizeof record - 1] = '\n';
	struct flock lockRegion = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct flock unlockRegion = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
	for (int round = 1; round <= 3; round++) {
		printf("round %d\n", round);
		double started = now_nanos();
		for (int i = 0; i < n; i++) {
			int fd = open(kept, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
			fcntl(fd, F_SETLK, &lockRegion);
			fcntl(fd, F_SETLK, &unlockRegion);
			close(fd);
		}
		report("kept lock file: open, lock, unlock, close (Lucene's files)", started, n);
		started = now_nanos();
		for (int i = 0; i < n; i++) {
			int fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			fcntl(fd, F_SETLK, &lockRegion);
			pwrite(fd, "12345\n", 6, 0);
			unlink(lock);
			close(fd);
		}
		report("lock file: create, lock, write the PID, unlink, close", started, n);
		started = now_nanos();
		for (int i = 0; i < n; i++) {
			int fd = open(temp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			write(fd, record, sizeof record);
			close(fd);
			rename(temp, holder);
			unlink(holder);
		}
		report("holder record: create a temp, write, rename, unlink", started, n);
	}
	return 0;
}
