/* Unit tests of lib/postplan.c: srestore -j's post-data phases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postplan.h"
#include "tap.h"

static void
cls(const char *stmt, enum postplan_phase want, const char *want_table,
    const char *want_ref)
{
	char *t, *r, head[51];
	enum postplan_phase p = postplan_classify(stmt, &t, &r);

	snprintf(head, sizeof head, "%s", stmt);
	for (char *c = head; *c; c++)
		if (*c == '\n')
			*c = ' ';
	is_int(p, want, "%s: %s", head, postplan_phase_name(want));
	is_str(t, want_table, "  table");
	is_str(r, want_ref, "  referenced table");
	free(t);
	free(r);
}

static void
idx(const char *stmt, const char *want)
{
	char *t = postplan_index_table(stmt);

	is_str(t, want, "index table of %.40s", stmt);
	free(t);
}

int
main(void)
{
	cls("SET statement_timeout = 0;", POSTPLAN_SETTING, NULL, NULL);
	cls("SELECT pg_catalog.set_config('search_path', '', false);",
	    POSTPLAN_SETTING, NULL, NULL);
	cls("SELECT pg_catalog.setval('a', 1);", POSTPLAN_OTHER, NULL, NULL);
	cls("CREATE INDEX bills_day ON public.bills USING btree (day);",
	    POSTPLAN_INDEX, NULL, NULL);
	cls("create unique index u on only public.p (a);", POSTPLAN_INDEX, NULL, NULL);
	cls("CREATE TRIGGER t BEFORE INSERT ON public.bills FOR EACH ROW EXECUTE FUNCTION f();",
	    POSTPLAN_OTHER, NULL, NULL);
	cls("ALTER TABLE ONLY public.bills\n    ADD CONSTRAINT bills_pkey PRIMARY KEY (id);",
	    POSTPLAN_CONSTRAINT, "public.bills", NULL);
	cls("ALTER TABLE ONLY \"Odd \"\"s\".\"Bill.Items\"\n    ADD CONSTRAINT \"u k\" UNIQUE (a);",
	    POSTPLAN_CONSTRAINT, "\"Odd \"\"s\".\"Bill.Items\"", NULL);
	cls("ALTER TABLE ONLY public.items\n    ADD CONSTRAINT items_bill_fkey FOREIGN KEY (bill_id) "
	    "REFERENCES public.bills(id) ON DELETE CASCADE;",
	    POSTPLAN_FOREIGN_KEY, "public.items", "public.bills");
	cls("ALTER TABLE public.m ADD CONSTRAINT \"REFERENCES\" FOREIGN KEY (a) REFERENCES s.\"Ré f\"(id);",
	    POSTPLAN_FOREIGN_KEY, "public.m", "s.\"Ré f\"");
	cls("ALTER INDEX public.p_pkey ATTACH PARTITION public.p1_pkey;",
	    POSTPLAN_ATTACH, NULL, NULL);
	cls("ALTER INDEX public.i SET (fillfactor = 50);", POSTPLAN_OTHER, NULL, NULL);
	cls("ALTER TABLE public.t CLUSTER ON i;", POSTPLAN_OTHER, NULL, NULL);
	cls("ALTER TABLE ONLY public.t REPLICA IDENTITY USING INDEX i;",
	    POSTPLAN_OTHER, NULL, NULL);
	cls("COMMENT ON INDEX public.i IS 'x';", POSTPLAN_OTHER, NULL, NULL);
	cls("REFRESH MATERIALIZED VIEW public.mv;", POSTPLAN_OTHER, NULL, NULL);
	idx("CREATE INDEX bills_day ON public.bills USING btree (day);", "public.bills");
	idx("create unique index u on only public.p (a);", "public.p");
	idx("CREATE UNIQUE INDEX \"On\" ON ONLY \"Odd \"\"s\".\"Bill.Items\" USING btree (a);",
	    "\"Odd \"\"s\".\"Bill.Items\"");
	idx("CREATE INDEX ON public.t (a);", "public.t");
	idx("CREATE INDEX IF NOT EXISTS i ON s.t (a);", "s.t");
	idx("CREATE INDEX i ON (a);", NULL);
	idx("CREATE TRIGGER t BEFORE INSERT ON public.bills FOR EACH ROW EXECUTE FUNCTION f();", NULL);
	idx("ALTER TABLE ONLY public.bills ADD CONSTRAINT bills_pkey PRIMARY KEY (id);", NULL);
	idx("CREATE INDEX", NULL);
	return done_testing();
}
