/*
 * What the churn of the half minute before costs a new file on ext4 without a journal:
 * the two files of one forward-lock acquire+release (lock file: create with O_EXCL, write
 * the PID, unlink; holder record: create a temporary file, write, rename, unlink), in C
 * and with no check, timed three times in the same directory:
 *
 *   1. after the directory was left alone for QUIET seconds;
 *   2. right after CHURN files were created and deleted there;
 *   3. QUIET seconds after that.
 *
 * Without a journal, ext4's inode allocator skips every free inode deleted less than 30 s
 * ago and reads its inode table block to find out (recently_deleted() in
 * fs/ext4/ialloc.c), so step 2 is slow there and not on tmpfs or a journalled ext4. See
 * docs/performance.md, section 8, "Where the time goes on ext4 (session 12)".
 *
 *   gcc -O2 -o /tmp/inode_churn benchmarks/floor/inode_churn.c
 *   mkdir -p /tmp/churn && /tmp/inode_churn /tmp/churn 3000 100000 35
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

static void fail(const char *what, const char *path) {
	perror(what);
	fprintf(stderr, "  at %s\n", path);
	exit(1);
}

/* cycles of the two files; prints the mean time of one cycle */
static void two_files(const char *dir, int cycles, const char *when) {
	char lock[4096], temp[4096], holder[4096], record[286];
	snprintf(lock, sizeof lock, "%s/churn.lock", dir);
	snprintf(temp, sizeof temp, "%s/churn.lock.holder.tmp", dir);
	snprintf(holder, sizeof holder, "%s/churn.lock.holder", dir);
	memset(record, 'x', sizeof record);
	double started = now_nanos();
	for (int i = 0; i < cycles; i++) {
		int fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
		if (fd < 0) fail("open lock file", lock);
		if (pwrite(fd, "12345\n", 6, 0) != 6) fail("write PID", lock);
		int rec = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
		if (rec < 0) fail("open temporary record", temp);
		if (write(rec, record, sizeof record) != (ssize_t) sizeof record) fail("write record", temp);
		close(rec);
		if (rename(temp, holder) != 0) fail("rename record", holder);
		if (unlink(holder) != 0) fail("unlink record", holder);
		if (unlink(lock) != 0) fail("unlink lock file", lock);
		close(fd);
	}
	printf("%-40s %8.2f us per cycle\n", when, (now_nanos() - started) / cycles / 1000);
}

static void churn(const char *dir, int files) {
	char path[4096];
	for (int i = 0; i < files; i++) {
		snprintf(path, sizeof path, "%s/churn-%d", dir, i);
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
		if (fd < 0) fail("create churn file", path);
		close(fd);
	}
	for (int i = 0; i < files; i++) {
		snprintf(path, sizeof path, "%s/churn-%d", dir, i);
		if (unlink(path) != 0) fail("unlink churn file", path);
	}
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: %s DIR CYCLES CHURN QUIET_SECONDS\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	int cycles = atoi(argv[2]);
	int files = atoi(argv[3]);
	int quiet = atoi(argv[4]);
	char when[64];
	sleep(quiet);
	snprintf(when, sizeof when, "after %d s of quiet", quiet);
	two_files(dir, cycles, when);
	churn(dir, files);
	snprintf(when, sizeof when, "right after %d files came and went", files);
	two_files(dir, cycles, when);
	sleep(quiet);
	snprintf(when, sizeof when, "%d s later", quiet);
	two_files(dir, cycles, when);
	return 0;
}
