/*
 * tmpname.h: the one prefix of every temporary file or directory a
 * strongbox tool makes (a put in progress under BACKUP_DIR, pg_dump's
 * section files under TMPDIR).  It names no tool, so that every tool
 * recognises the others' temporaries: a listing never shows them, a key
 * may not begin with it, and a cleanup finds what a killed run left.
 */
#ifndef STRONGBOX_TMPNAME_H
#define STRONGBOX_TMPNAME_H

#define TMPNAME_PREFIX ".strongbox-tmp."

/*
 * What supload named its temporaries in BACKUP_DIR before TMPNAME_PREFIX:
 * still recognised (never listed, refused in keys, cleaned by --stale) so
 * that a put killed before an upgrade is not mistaken for an object.
 */
#define TMPNAME_OLD_PREFIX ".supload."

#endif
