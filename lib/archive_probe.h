/*
 * archive_probe.h: tells, from the bytes of a stream as they go by, whether
 * it is a complete strongbox archive (strongbox-archive(5)): a tar stream
 * (pax), compressed as a whole or not, read by libarchive in a thread of
 * its own, whose last member is strongbox/trailer.json and which ended
 * cleanly.  supload --verify-archive completes an upload only then, so
 * that a dump that died half-way never becomes an object.
 *
 * The check is deliberately shallow, so that it stays right while the
 * format grows: it does not read the manifest or verify checksums (that is
 * srestore --check).  manifest_trailer_check() says what a trailer must
 * hold.
 */
#ifndef STRONGBOX_ARCHIVE_PROBE_H
#define STRONGBOX_ARCHIVE_PROBE_H

#include <stddef.h>

struct archive_probe;

/* Starts a probe (a pipe and a reader thread).  Dies if it cannot. */
struct archive_probe *archive_probe_start(void);

struct minisign_pub;

/*
 * Like archive_probe_start(), and the archive must also be signed with
 * key (minisign.h): strongbox/manifest.json.minisig right after the
 * manifest and strongbox/trailer.json.minisig right after the trailer,
 * both verified.  Without a key, a trailer's signature member is allowed
 * after the trailer and not checked.
 */
struct archive_probe *archive_probe_start_signed(const struct minisign_pub *key);

/*
 * Hands the next len bytes of the stream to the probe; blocks while the
 * reader catches up.  After the reader has decided (say, the stream is
 * not an archive), bytes are drained and ignored.
 */
void archive_probe_feed(struct archive_probe *p, const void *data,
	size_t len);

/*
 * Ends the stream, waits for the reader and frees the probe.  Returns 0
 * when the stream was a complete archive, else -1 with why (one line,
 * e.g. "the archive is truncated: no strongbox/trailer.json at its end").
 */
int archive_probe_finish(struct archive_probe *p, char *why, size_t whylen);

#endif
