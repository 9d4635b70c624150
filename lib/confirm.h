/*
 * confirm.h: asking a person on the terminal before a destructive step:
 * the phrase they must type, and a countdown that Ctrl-C cancels.  Both
 * talk to /dev/tty, never to stdin or stdout, so that input piped into a
 * tool can never confirm for a person (the seeds' "DELETE ALL DATA").
 * SIGINT during either is left to cancel.h (cancel_init()): a read or a
 * sleep cut short by a signal is a cancel.
 */
#ifndef STRONGBOX_CONFIRM_H
#define STRONGBOX_CONFIRM_H

/*
 * Opens the controlling terminal for reading and writing.  Returns a file
 * descriptor (close-on-exec), or -1 when the process has no terminal (cron,
 * a pipeline under setsid, a CI job).
 */
int confirm_open(void);

/*
 * Writes prompt to the terminal fd and reads one line from it.  Returns 1
 * when the line is exactly phrase (a trailing CR is ignored), 0 when it is
 * anything else or the terminal closed, -1 when a signal interrupted the
 * read (the caller checks cancel_check()).
 */
int confirm_phrase(int fd, const char *prompt, const char *phrase);

/*
 * Counts down seconds on the terminal fd ("5... 4... 3... 2... 1..."),
 * one second apart, after the text intro.  Returns 0 at the end, -1 when a
 * signal cut it short.
 */
int confirm_countdown(int fd, const char *intro, int seconds);

#endif
