/* cancel.c: SIGINT and SIGTERM cancel the server-side work; see cancel.h. */
#include "cancel.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

/*
 * Set by the handler, read by every thread: an atomic (lock-free, so
 * async-signal-safe), not a volatile sig_atomic_t, which is only for the
 * thread the signal interrupted.
 */
static atomic_int requested;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the handler needs a lock-free int");

/*
 * The watched connections' cancel objects.  A slot is published with an
 * atomic store, so that the handler sees either NULL or a complete object.
 */
static PGcancel *_Atomic slots[CANCEL_MAX];
static PGconn *owners[CANCEL_MAX];

/*
 * The tool did not notice the cancel within CANCEL_GRACE seconds (it is
 * blocked reading a stalled pipe, say): print the line and leave.  The
 * server rolls back what the closed connections did not commit; nothing
 * was committed or trailed, since both come after a cancel_check().
 */
static void
grace_over(int sig)
{
	static const char tail[] = ": cancelled\n";
	const char *name = err_progname();

	(void)sig;
	(void)!write(2, name, strlen(name));
	(void)!write(2, tail, sizeof tail - 1);
	_exit(1);
}

static void
handler(int sig)
{
	char buf[256];
	int saved = errno; /* of the code it interrupted */

	(void)sig;
	if (!atomic_exchange(&requested, 1))
		alarm(CANCEL_GRACE);
	for (int i = 0; i < CANCEL_MAX; i++) {
		PGcancel *c = atomic_load(&slots[i]);

		if (c != NULL)
			(void)PQcancel(c, buf, sizeof buf);
	}
	errno = saved;
}

void
cancel_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: blocking I/O returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = grace_over;
	sigaction(SIGALRM, &sa, NULL);
	err_set_cancelled(cancel_requested);
}

void
cancel_watch(PGconn *conn)
{
	PGcancel *c = PQgetCancel(conn);

	if (c == NULL)
		return;
	for (int i = 0; i < CANCEL_MAX; i++)
		if (owners[i] == NULL) {
			owners[i] = conn;
			atomic_store(&slots[i], c);
			return;
		}
	PQfreeCancel(c); /* all slots taken: only exiting will cancel */
}

void
cancel_unwatch(PGconn *conn)
{
	for (int i = 0; i < CANCEL_MAX; i++)
		if (owners[i] == conn && conn != NULL) {
			PGcancel *c = atomic_exchange(&slots[i], NULL);
			sigset_t all, old;

			/* Never free what a handler may be using. */
			sigemptyset(&all);
			sigaddset(&all, SIGINT);
			sigaddset(&all, SIGTERM);
			pthread_sigmask(SIG_BLOCK, &all, &old);
			PQfreeCancel(c);
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			owners[i] = NULL;
			return;
		}
}

int
cancel_requested(void)
{
	return requested != 0;
}

void
cancel_exit(void)
{
	fprintf(stderr, "%s: cancelled\n", err_progname());
	fflush(stderr);
	exit(EXIT_FAIL);
}

void
cancel_check(void)
{
	if (requested)
		cancel_exit();
}
