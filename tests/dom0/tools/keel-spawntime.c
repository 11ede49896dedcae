// SPDX-License-Identifier: GPL-2.0-only
/* keel-spawntime N LABEL CMD [ARGS...]: runs CMD N times, one after the
 * other, its output to /dev/null, and prints one KEEL-SPAWN line: the median,
 * minimum and maximum wall time of one run (fork to reaped), the mean page
 * faults and CPU times of a run, and how many runs did not exit with 0.
 * For bench/toolstack.py: a command's cost in dom0 without the shell's. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n, fails = 0;
	double *t;
	long minflt = 0, majflt = 0;
	double ut = 0, st = 0;

	n = argc < 4 ? 0 : atoi(argv[1]);
	if (n < 1) {
		fprintf(stderr, "usage: keel-spawntime N LABEL CMD [ARGS...]\n");
		return 2;
	}
	t = calloc(n, sizeof(*t));
	if (!t)
		return 1;
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		int status;
		double t0 = now();
		pid_t p = fork();

		if (p < 0) {
			perror("keel-spawntime: fork");
			return 1;
		}
		if (p == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
			execvp(argv[3], argv + 3);
			_exit(127);
		}
		wait4(p, &status, 0, &ru);
		t[i] = now() - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fails++;
		minflt += ru.ru_minflt;
		majflt += ru.ru_majflt;
		ut += ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
		st += ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	}
	qsort(t, n, sizeof(*t), cmp);
	printf("KEEL-SPAWN %s median=%.2fms min=%.2fms max=%.2fms minflt=%.1f majflt=%.1f utime=%.2fms stime=%.2fms fails=%d\n",
	       argv[2], t[n / 2] * 1e3, t[0] * 1e3, t[n - 1] * 1e3, (double)minflt / n,
	       (double)majflt / n, ut / n * 1e3, st / n * 1e3, fails);
	return 0;
}
