SET statement_timeout = 0;
\restrict k
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;
CREATE TABLE "a b"."c" (x text DEFAULT E'\';');
DO $x$ begin null; end $x$;
COPY t (a) FROM stdin;
1
\.
/* c /* n */ */ SELECT 1;
