/* purgeplan.c: deciding what spurge purges; see purgeplan.h. */
#include "purgeplan.h"

#include <stdlib.h>

#include "fklevels.h"
#include "xalloc.h"

void
purgeplan_free(struct purgeplan *plan)
{
	free(plan->fate);
	free(plan->conf);
	free(plan->order);
	free(plan->missing);
	plan->fate = NULL;
	plan->conf = NULL;
	plan->order = NULL;
	plan->missing = NULL;
	plan->norder = plan->nmissing = 0;
}

static enum purgeplan_fate
decide(const struct purgeconf *conf, const struct purgeplan_table *t, long k,
       const struct purgeplan_opts *o)
{
	if (k >= 0 && conf->tables[k].cls == PURGE_KEEP)
		return PURGEPLAN_KEEP;
	if (o->all)
		return t->extension ? PURGEPLAN_EXTENSION : PURGEPLAN_PURGE;
	if (k < 0)
		return t->extension ? PURGEPLAN_EXTENSION : PURGEPLAN_UNCLASSIFIED;
	return (o->classes & (1u << conf->tables[k].cls)) ? PURGEPLAN_PURGE
	                                                  : PURGEPLAN_KEEP;
}

void
purgeplan_make(const struct purgeconf *conf,
               const struct purgeplan_table *tables, size_t n,
               const struct purgeplan_fk *fks, size_t nfk,
               const struct purgeplan_opts *o, struct purgeplan *plan)
{
	bool *found = xcalloc(conf->ntables + 1, sizeof *found);
	size_t *sub = xcalloc(n + 1, sizeof *sub); /* table -> purged index */
	struct fk_edge *edges = xcalloc(nfk + 1, sizeof *edges);
	size_t nedges = 0, np = 0;
	int *level;
	size_t *comp;

	plan->fate = xcalloc(n + 1, sizeof *plan->fate);
	plan->conf = xcalloc(n + 1, sizeof *plan->conf);
	plan->order = xcalloc(n + 1, sizeof *plan->order);
	plan->missing = xcalloc(conf->ntables + 1, sizeof *plan->missing);
	plan->norder = plan->nmissing = 0;
	plan->refused = -1;

	for (size_t i = 0; i < n; i++) {
		long k = purgeconf_find(conf, tables[i].schema, tables[i].name);
		plan->conf[i] = k;
		if (k >= 0)
			found[k] = true;
		plan->fate[i] = decide(conf, &tables[i], k, o);
		if (plan->fate[i] == PURGEPLAN_PURGE)
			sub[i] = np++;
	}
	for (size_t k = 0; k < conf->ntables; k++)
		if (!found[k])
			plan->missing[plan->nmissing++] = k;

	for (size_t e = 0; e < nfk; e++) {
		bool cp = plan->fate[fks[e].child] == PURGEPLAN_PURGE;
		bool pp = plan->fate[fks[e].parent] == PURGEPLAN_PURGE;

		if (pp && !cp && !o->before && plan->refused < 0)
			plan->refused = (long)e;
		if (pp && cp && fks[e].child != fks[e].parent) {
			edges[nedges].from = sub[fks[e].child];
			edges[nedges].to = sub[fks[e].parent];
			nedges++;
		}
	}

	/* Children first: the highest level first, table order within one. */
	level = xcalloc(np + 1, sizeof *level);
	comp = xcalloc(np + 1, sizeof *comp);
	fklevels_compute(np, edges, nedges, level, comp);
	{
		int maxlevel = 0;
		for (size_t i = 0; i < np; i++)
			if (level[i] > maxlevel)
				maxlevel = level[i];
		for (int l = maxlevel; l >= 0; l--)
			for (size_t i = 0; i < n; i++)
				if (plan->fate[i] == PURGEPLAN_PURGE &&
				    level[sub[i]] == l)
					plan->order[plan->norder++] = i;
	}
	free(level);
	free(comp);
	free(edges);
	free(sub);
	free(found);
}
