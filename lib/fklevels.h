/*
 * fklevels.h: dependency levels of tables linked by foreign keys, as the
 * archive format defines them: level 0 for a table whose foreign keys point
 * at no other table of the set, else 1 + the highest level of the tables it
 * references; the tables of a cycle share one level; a self-reference is
 * ignored.  Pure graph work (Tarjan's strongly connected components).
 */
#ifndef STRONGBOX_FKLEVELS_H
#define STRONGBOX_FKLEVELS_H

#include <stddef.h>

struct fk_edge {
	size_t from; /* the referencing table (child) */
	size_t to;   /* the referenced table (parent) */
};

/*
 * Computes level[i] for the n tables 0..n-1 given the edges, and
 * component[i]: tables with the same component number form one cycle
 * (components of one table are not cycles).  level and component are
 * arrays of n the caller provides.  Returns the number of components.
 */
size_t fklevels_compute(size_t n, const struct fk_edge *edges, size_t nedges,
                        int *level, size_t *component);

#endif
