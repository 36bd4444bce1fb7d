-- CreateTable
CREATE TABLE "session_rollup_month" (
    "month" DATE NOT NULL,
    "byLanguage" BOOLEAN NOT NULL,
    "byProgramme" BOOLEAN NOT NULL,
    "communeId" UUID NOT NULL,
    "province" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "programme" TEXT NOT NULL,
    "communeName" TEXT NOT NULL,
    "occurrences" INTEGER NOT NULL,
    "held" INTEGER NOT NULL,
    "partial" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "missed" INTEGER NOT NULL,
    "preempted" INTEGER NOT NULL,
    "cancelled" INTEGER NOT NULL,
    "secondsAired" DOUBLE PRECISION NOT NULL,
    "skewSum" DOUBLE PRECISION NOT NULL,
    "skewCount" INTEGER NOT NULL,
    "skewMax" DOUBLE PRECISION,

    CONSTRAINT "session_rollup_month_pkey" PRIMARY KEY ("month","byLanguage","byProgramme","communeId","province","language","programme")
);

-- The monthly rollup is written only by the same functions (and the trigger below, inside them).

CREATE OR REPLACE FUNCTION session_rollup_guard() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN
  IF coalesce(current_setting(''loa.session_rollup'', true), '''') NOT IN (''writer'', ''rebuild'') THEN
    RAISE EXCEPTION ''% is written only by session_record_append and session_rollup_rebuild (% refused)'',
      TG_TABLE_NAME, TG_OP USING ERRCODE = ''insufficient_privilege''\073
  END IF\073
  RETURN NULL\073
END\073';

CREATE TRIGGER session_rollup_month_writers
  BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "session_rollup_month"
  FOR EACH STATEMENT EXECUTE FUNCTION session_rollup_guard();


-- The cells a day row counts in: all languages and each of its languages (an empty list gives one
-- cell with no language, as the reports join it), times all programmes and each of its programmes.
-- Seconds: the language own in a language cell, total in an all-languages cell.

CREATE FUNCTION session_rollup_cells(langs text[], secs float8[], progs text[], total float8) RETURNS TABLE(by_language boolean, language text, by_programme boolean, programme text, seconds float8) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
E'SELECT l.bl, l.lang, p.bp, p.prog, l.secs FROM
  (SELECT false AS bl, ''''::text AS lang, total AS secs
   UNION ALL SELECT true, coalesce(x.lang, ''''), coalesce(x.secs, 0)
     FROM (SELECT 1) o LEFT JOIN LATERAL unnest(langs, secs) x(lang, secs) ON true) l,
  (SELECT false AS bp, ''''::text AS prog
   UNION ALL SELECT true, coalesce(y.prog, '''')
     FROM (SELECT 1) o LEFT JOIN LATERAL unnest(progs) y(prog) ON true) p';


-- Keeps the monthly rollup equal to the day rows summed per cell: each insert or update of a day
-- row (by session_rollup_add) adds its difference to the cells of its month. The rebuild computes
-- the months at once instead.

CREATE FUNCTION session_rollup_month_apply() RETURNS trigger LANGUAGE plpgsql AS
E'DECLARE
  o session_rollup\073
  d_secs float8[]\073
BEGIN
  IF current_setting(''loa.session_rollup'', true) = ''rebuild'' THEN
    RETURN NULL\073
  END IF\073
  IF TG_OP = ''UPDATE'' THEN
    o := OLD\073
    d_secs := ARRAY(SELECT n - b FROM unnest(NEW."languageSeconds", OLD."languageSeconds") WITH ORDINALITY t(n, b, i) ORDER BY i)\073
  ELSE
    d_secs := NEW."languageSeconds"\073
  END IF\073
  INSERT INTO session_rollup_month AS m (month, "byLanguage", "byProgramme", "communeId", province, language, programme,
      "communeName", occurrences, held, partial, failed, missed, preempted, cancelled, "secondsAired", "skewSum",
      "skewCount", "skewMax")
  SELECT date_trunc(''month'', NEW.day)::date, c.by_language, c.by_programme, NEW."communeId", NEW.province, c.language,
         c.programme, NEW."communeName",
         c.n * (NEW.occurrences - coalesce(o.occurrences, 0)), c.n * (NEW.held - coalesce(o.held, 0)),
         c.n * (NEW.partial - coalesce(o.partial, 0)), c.n * (NEW.failed - coalesce(o.failed, 0)),
         c.n * (NEW.missed - coalesce(o.missed, 0)), c.n * (NEW.preempted - coalesce(o.preempted, 0)),
         c.n * (NEW.cancelled - coalesce(o.cancelled, 0)), c.seconds,
         c.n * (NEW."skewSum" - coalesce(o."skewSum", 0)), c.n * (NEW."skewCount" - coalesce(o."skewCount", 0)),
         NEW."skewMax"
    FROM (SELECT x.by_language, x.language, x.by_programme, x.programme, count(*)::int AS n, sum(x.seconds) AS seconds
            FROM session_rollup_cells(NEW.languages, d_secs, NEW.programmes,
                                      NEW."secondsAired" - coalesce(o."secondsAired", 0)) x
           GROUP BY 1, 2, 3, 4) c
  ON CONFLICT (month, "byLanguage", "byProgramme", "communeId", province, language, programme) DO UPDATE SET
      "communeName" = greatest(m."communeName", EXCLUDED."communeName"),
      occurrences = m.occurrences + EXCLUDED.occurrences, held = m.held + EXCLUDED.held,
      partial = m.partial + EXCLUDED.partial, failed = m.failed + EXCLUDED.failed,
      missed = m.missed + EXCLUDED.missed, preempted = m.preempted + EXCLUDED.preempted,
      cancelled = m.cancelled + EXCLUDED.cancelled, "secondsAired" = m."secondsAired" + EXCLUDED."secondsAired",
      "skewSum" = m."skewSum" + EXCLUDED."skewSum", "skewCount" = m."skewCount" + EXCLUDED."skewCount",
      "skewMax" = greatest(m."skewMax", EXCLUDED."skewMax")\073
  RETURN NULL\073
END\073';

CREATE TRIGGER session_rollup_month_apply
  AFTER INSERT OR UPDATE ON "session_rollup"
  FOR EACH ROW EXECUTE FUNCTION session_rollup_month_apply();

CREATE OR REPLACE FUNCTION session_rollup_rebuild(new_share float8) RETURNS integer LANGUAGE plpgsql VOLATILE AS
E'DECLARE
  written integer\073
BEGIN
  IF new_share IS NULL OR new_share <= 0 OR new_share > 1 THEN
    RAISE EXCEPTION ''the share must be in (0, 1]: %'', new_share\073
  END IF\073
  LOCK TABLE session_record IN SHARE MODE\073
  PERFORM set_config(''loa.session_rollup'', ''rebuild'', true)\073
  TRUNCATE session_rollup, session_rollup_month, session_rollup_span, session_rollup_rule\073
  INSERT INTO session_rollup_rule (id, share) VALUES (true, new_share)\073
  CREATE TEMP TABLE session_rollup_source ON COMMIT DROP AS
    SELECT session_rollup_day(r."scheduledAt") AS day, r."communeId", r."clusterId", r.province,
           coalesce(r."marketDay", '''') AS market, session_rollup_languages(r."languageSeconds") AS langs,
           session_rollup_seconds(r."languageSeconds") AS secs, coalesce(r.programmes, ''{}'') AS progs,
           r."communeName", r."clusterName", r."occurrenceKey",
           session_outcome(r.status::text, r."minLanguageShare", new_share) AS outcome,
           r."secondsAired", r."skewMs"
      FROM session_record r WHERE r."broadcastKind" <> ''TEST''\073
  INSERT INTO session_rollup_span ("clusterId", "occurrenceKey")
    SELECT s."clusterId", s."occurrenceKey" FROM session_rollup_source s
     GROUP BY s."clusterId", s."occurrenceKey"
    HAVING bool_or(session_rollup_irregular(s.langs, s.progs))
        OR count(DISTINCT (s.day, s."communeId", s.province, s.market, session_rollup_shape(s.langs, s.progs))) > 1\073
  INSERT INTO session_rollup (day, "communeId", "clusterId", province, "marketDay", shape, languages,
      programmes, "languageSeconds", "communeName", "clusterName", occurrences, held, partial, failed, missed,
      preempted, cancelled, "secondsAired", "skewSum", "skewCount", "skewMax")
  SELECT s.day, s."communeId", s."clusterId", s.province, s.market, session_rollup_shape(s.langs, s.progs),
         min(s.langs), min(s.progs), session_rollup_sum_seconds(s.secs), max(s."communeName"), max(s."clusterName"),
         count(DISTINCT s."occurrenceKey") FILTER (WHERE sp."clusterId" IS NULL),
         count(DISTINCT s."occurrenceKey") FILTER (WHERE sp."clusterId" IS NULL AND s.outcome = ''held''),
         count(*) FILTER (WHERE s.outcome = ''partial''), count(*) FILTER (WHERE s.outcome = ''failed''),
         count(*) FILTER (WHERE s.outcome = ''missed''), count(*) FILTER (WHERE s.outcome = ''preempted''),
         count(*) FILTER (WHERE s.outcome = ''cancelled''), sum(s."secondsAired"), coalesce(sum(s."skewMs"), 0),
         count(s."skewMs"), max(s."skewMs")
    FROM session_rollup_source s
    LEFT JOIN session_rollup_span sp ON sp."clusterId" = s."clusterId" AND sp."occurrenceKey" = s."occurrenceKey"
   GROUP BY s.day, s."communeId", s."clusterId", s.province, s.market, session_rollup_shape(s.langs, s.progs)\073
  GET DIAGNOSTICS written = ROW_COUNT\073
  INSERT INTO session_rollup_month (month, "byLanguage", "byProgramme", "communeId", province, language, programme,
      "communeName", occurrences, held, partial, failed, missed, preempted, cancelled, "secondsAired", "skewSum",
      "skewCount", "skewMax")
  SELECT date_trunc(''month'', u.day)::date, c.by_language, c.by_programme, u."communeId", u.province, c.language,
         c.programme, max(u."communeName"), sum(u.occurrences), sum(u.held), sum(u.partial), sum(u.failed),
         sum(u.missed), sum(u.preempted), sum(u.cancelled), sum(c.seconds), sum(u."skewSum"), sum(u."skewCount"),
         max(u."skewMax")
    FROM session_rollup u,
         LATERAL session_rollup_cells(u.languages, u."languageSeconds", u.programmes, u."secondsAired") c
   GROUP BY 1, 2, 3, 4, 5, 6, 7\073
  DROP TABLE session_rollup_source\073
  PERFORM set_config(''loa.session_rollup'', '''', true)\073
  RETURN written\073
END\073';


-- Backfill: the months of the rows already rolled up, under the share they were built with.
DO E'DECLARE built float8\073 BEGIN SELECT share INTO built FROM session_rollup_rule\073 PERFORM session_rollup_rebuild(built)\073 END\073';
