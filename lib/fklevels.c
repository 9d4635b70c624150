/* fklevels.c: foreign-key dependency levels; see fklevels.h. */
#include "fklevels.h"

#include <stdlib.h>

#include "xalloc.h"

struct graph {
	size_t n;
	size_t *start; /* edges of node i: adj[start[i] .. start[i+1]) */
	size_t *adj;
};

static struct graph
build(size_t n, const struct fk_edge *edges, size_t nedges)
{
	struct graph g;
	size_t *fill;

	g.n = n;
	g.start = xcalloc(n + 1, sizeof *g.start);
	g.adj = xcalloc(nedges ? nedges : 1, sizeof *g.adj);
	for (size_t i = 0; i < nedges; i++)
		g.start[edges[i].from + 1]++;
	for (size_t i = 0; i < n; i++)
		g.start[i + 1] += g.start[i];
	fill = xcalloc(n + 1, sizeof *fill);
	for (size_t i = 0; i < nedges; i++) {
		size_t f = edges[i].from;

		g.adj[g.start[f] + fill[f]++] = edges[i].to;
	}
	free(fill);
	return g;
}

/*
 * Iterative Tarjan: components are numbered in reverse topological order of
 * the condensation, i.e. a component only references components with a
 * smaller number, which is the order levels are computed in.
 */
static size_t
tarjan(const struct graph *g, size_t *comp)
{
	size_t n = g->n, idx = 0, ncomp = 0, sp = 0, cp = 0;
	size_t *index = xcalloc(n, sizeof *index), *low = xcalloc(n, sizeof *low);
	size_t *stack = xcalloc(n ? n : 1, sizeof *stack);
	size_t *cstack = xcalloc(n ? n : 1, sizeof *cstack);
	size_t *next = xcalloc(n ? n : 1, sizeof *next);
	char *on = xcalloc(n ? n : 1, 1);
	const size_t UNSEEN = 0;

	for (size_t root = 0; root < n; root++) {
		if (index[root] != UNSEEN)
			continue;
		cstack[cp++] = root;
		index[root] = low[root] = ++idx;
		stack[sp++] = root;
		on[root] = 1;
		next[root] = g->start[root];
		while (cp > 0) {
			size_t v = cstack[cp - 1];

			if (next[v] < g->start[v + 1]) {
				size_t w = g->adj[next[v]++];

				if (index[w] == UNSEEN) {
					index[w] = low[w] = ++idx;
					stack[sp++] = w;
					on[w] = 1;
					next[w] = g->start[w];
					cstack[cp++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			cp--;
			if (cp > 0) {
				size_t u = cstack[cp - 1];

				if (low[v] < low[u])
					low[u] = low[v];
			}
			if (low[v] == index[v]) {
				size_t w;

				do {
					w = stack[--sp];
					on[w] = 0;
					comp[w] = ncomp;
				} while (w != v);
				ncomp++;
			}
		}
	}
	free(index);
	free(low);
	free(stack);
	free(cstack);
	free(next);
	free(on);
	return ncomp;
}

size_t
fklevels_compute(size_t n, const struct fk_edge *edges, size_t nedges,
                 int *level, size_t *component)
{
	struct graph g = build(n, edges, nedges);
	size_t ncomp = tarjan(&g, component);
	int *clevel = xcalloc(ncomp ? ncomp : 1, sizeof *clevel);
	size_t **members;
	size_t *count = xcalloc(ncomp ? ncomp : 1, sizeof *count);

	/* Group the tables by component, then walk components in order. */
	members = xcalloc(ncomp ? ncomp : 1, sizeof *members);
	for (size_t i = 0; i < n; i++)
		count[component[i]]++;
	for (size_t c = 0; c < ncomp; c++) {
		members[c] = xcalloc(count[c], sizeof **members);
		count[c] = 0;
	}
	for (size_t i = 0; i < n; i++)
		members[component[i]][count[component[i]]++] = i;
	for (size_t c = 0; c < ncomp; c++) {
		int lv = 0;

		for (size_t k = 0; k < count[c]; k++) {
			size_t v = members[c][k];

			for (size_t e = g.start[v]; e < g.start[v + 1]; e++) {
				size_t w = g.adj[e];

				if (component[w] != c && clevel[component[w]] + 1 > lv)
					lv = clevel[component[w]] + 1;
			}
		}
		clevel[c] = lv;
		free(members[c]);
	}
	for (size_t i = 0; i < n; i++)
		level[i] = clevel[component[i]];
	free(members);
	free(count);
	free(clevel);
	free(g.start);
	free(g.adj);
	return ncomp;
}
