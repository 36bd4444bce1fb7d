-- CreateTable
CREATE TABLE "session_rollup" (
    "day" DATE NOT NULL,
    "communeId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "province" TEXT NOT NULL,
    "marketDay" VARCHAR(10) NOT NULL,
    "shape" TEXT NOT NULL,
    "languages" TEXT[],
    "programmes" TEXT[],
    "languageSeconds" DOUBLE PRECISION[],
    "communeName" TEXT NOT NULL,
    "clusterName" TEXT NOT NULL,
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

    CONSTRAINT "session_rollup_pkey" PRIMARY KEY ("day","communeId","clusterId","province","marketDay","shape")
);

-- CreateTable
CREATE TABLE "session_rollup_span" (
    "clusterId" UUID NOT NULL,
    "occurrenceKey" TEXT NOT NULL,

    CONSTRAINT "session_rollup_span_pkey" PRIMARY KEY ("clusterId","occurrenceKey")
);

-- CreateTable
CREATE TABLE "session_rollup_rule" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "share" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "session_rollup_rule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_record_clusterId_occurrenceKey_idx" ON "session_record"("clusterId", "occurrenceKey");

-- The rollup is derived data (the chain is the evidence): it is written only by the functions
-- below, which raise the transaction-local flag loa.session_rollup while they write. Every other
-- INSERT, UPDATE, DELETE or TRUNCATE is refused by a statement trigger, like the log itself.

CREATE FUNCTION session_rollup_guard() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN
  IF coalesce(current_setting(''loa.session_rollup'', true), '''') <> ''writer'' THEN
    RAISE EXCEPTION ''% is written only by session_record_append and session_rollup_rebuild (% refused)'',
      TG_TABLE_NAME, TG_OP USING ERRCODE = ''insufficient_privilege''\073
  END IF\073
  RETURN NULL\073
END\073';

CREATE TRIGGER session_rollup_writers
  BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "session_rollup"
  FOR EACH STATEMENT EXECUTE FUNCTION session_rollup_guard();

CREATE TRIGGER session_rollup_span_writers
  BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "session_rollup_span"
  FOR EACH STATEMENT EXECUTE FUNCTION session_rollup_guard();

CREATE TRIGGER session_rollup_rule_writers
  BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "session_rollup_rule"
  FOR EACH STATEMENT EXECUTE FUNCTION session_rollup_guard();


-- The local day of an instant in Vietnam (UTC+7 all year), as the reports read periods.

CREATE FUNCTION session_rollup_day(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
E'SELECT ((at AT TIME ZONE ''UTC'') + interval ''7 hours'')::date';


-- The languages of a record and the seconds each aired, in the order of its languageSeconds.

CREATE FUNCTION session_rollup_languages(ls jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
E'SELECT coalesce(array_agg(e.value->>''language'' ORDER BY e.n), ''{}'') FROM jsonb_array_elements(ls) WITH ORDINALITY e(value, n)';

CREATE FUNCTION session_rollup_seconds(ls jsonb) RETURNS float8[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
E'SELECT coalesce(array_agg(coalesce((e.value->>''airedSec'')::float8, 0) ORDER BY e.n), ''{}'') FROM jsonb_array_elements(ls) WITH ORDINALITY e(value, n)';


-- The key of a record shape: its languages and programmes, as JSON text.

CREATE FUNCTION session_rollup_shape(langs text[], progs text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
E'SELECT jsonb_build_array(to_jsonb(langs), to_jsonb(progs))::text';


-- A record whose languages or programmes repeat or hold a null: the reports would count it twice
-- in a group, so its occurrence is counted from the records (a span) rather than rolled up.

CREATE FUNCTION session_rollup_irregular(langs text[], progs text[]) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
E'SELECT (SELECT count(DISTINCT x) FROM unnest(langs) x) <> cardinality(langs) OR (SELECT count(DISTINCT x) FROM unnest(progs) x) <> cardinality(progs)';


-- The counting rule of domain/session-log/counting.ts, as the reports write it.

CREATE FUNCTION session_outcome(status text, min_share float8, share float8) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
E'SELECT CASE WHEN status IN (''AIRED'', ''PARTIAL'') AND (min_share >= share OR (min_share IS NULL AND status = ''AIRED'')) THEN ''held'' WHEN status IN (''AIRED'', ''PARTIAL'') THEN ''partial'' ELSE lower(status) END';


-- Element-wise sum of two per-language seconds arrays of one shape, and its aggregate.

CREATE FUNCTION session_rollup_add_seconds(a float8[], b float8[]) RETURNS float8[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
E'SELECT ARRAY(SELECT x + y FROM unnest(a, b) WITH ORDINALITY t(x, y, n) ORDER BY n)';

CREATE AGGREGATE session_rollup_sum_seconds(float8[]) (SFUNC = session_rollup_add_seconds, STYPE = float8[]);


-- Adds one appended record to the rollup (called by session_record_append under the commune
-- chain lock, so the rows of a commune change one record at a time). An occurrence whose records
-- all lie in one row counts once there (occurrences, and held if any of its records is held).
-- When a record of it lands in another row, the occurrence becomes a span: withdrawn from the row
-- of its earlier records and listed in session_rollup_span, where the reports count it from its
-- records. Outcome counts, seconds and skew always add to the row of the record.

CREATE FUNCTION session_rollup_add(r session_record) RETURNS void LANGUAGE plpgsql VOLATILE AS
E'DECLARE
  share float8\073
  outcome text\073
  r_day date := session_rollup_day(r."scheduledAt")\073
  r_market text := coalesce(r."marketDay", '''')\073
  langs text[] := session_rollup_languages(r."languageSeconds")\073
  progs text[] := coalesce(r.programmes, ''{}'')\073
  r_shape text := session_rollup_shape(langs, progs)\073
  spanning boolean\073
  priors integer := 0\073
  held_before boolean := false\073
  p_day date\073
  p_commune text\073
  p_province text\073
  p_market text\073
  p_shape text\073
BEGIN
  IF r."broadcastKind" = ''TEST'' THEN
    RETURN\073
  END IF\073
  SELECT u.share INTO share FROM session_rollup_rule u\073
  IF share IS NULL THEN
    RAISE EXCEPTION ''session_rollup_rule is empty: run session_rollup_rebuild(share)''\073
  END IF\073
  outcome := session_outcome(r.status::text, r."minLanguageShare", share)\073
  PERFORM set_config(''loa.session_rollup'', ''writer'', true)\073
  spanning := EXISTS (SELECT 1 FROM session_rollup_span s
                       WHERE s."clusterId" = r."clusterId" AND s."occurrenceKey" = r."occurrenceKey")\073
  IF NOT spanning THEN
    SELECT count(*), coalesce(bool_or(session_outcome(o.status::text, o."minLanguageShare", share) = ''held''), false),
           min(session_rollup_day(o."scheduledAt")), min(o."communeId"::text), min(o.province),
           min(coalesce(o."marketDay", '''')),
           min(session_rollup_shape(session_rollup_languages(o."languageSeconds"), coalesce(o.programmes, ''{}'')))
      INTO priors, held_before, p_day, p_commune, p_province, p_market, p_shape
      FROM session_record o
     WHERE o."clusterId" = r."clusterId" AND o."occurrenceKey" = r."occurrenceKey"
       AND o."broadcastKind" <> ''TEST'' AND NOT (o."communeId" = r."communeId" AND o.seq = r.seq)\073
    IF session_rollup_irregular(langs, progs)
       OR (priors > 0 AND (p_day, p_commune, p_province, p_market, p_shape)
                          IS DISTINCT FROM (r_day, r."communeId"::text, r.province, r_market, r_shape)) THEN
      spanning := true\073
      INSERT INTO session_rollup_span ("clusterId", "occurrenceKey") VALUES (r."clusterId", r."occurrenceKey")\073
      IF priors > 0 THEN
        UPDATE session_rollup u
           SET occurrences = u.occurrences - 1, held = u.held - (CASE WHEN held_before THEN 1 ELSE 0 END)
         WHERE u.day = p_day AND u."communeId" = p_commune::uuid AND u."clusterId" = r."clusterId"
           AND u.province = p_province AND u."marketDay" = p_market AND u.shape = p_shape\073
      END IF\073
    END IF\073
  END IF\073
  INSERT INTO session_rollup AS u (day, "communeId", "clusterId", province, "marketDay", shape, languages,
      programmes, "languageSeconds", "communeName", "clusterName", occurrences, held, partial, failed, missed,
      preempted, cancelled, "secondsAired", "skewSum", "skewCount", "skewMax")
  VALUES (r_day, r."communeId", r."clusterId", r.province, r_market, r_shape, langs, progs,
      session_rollup_seconds(r."languageSeconds"), r."communeName", r."clusterName",
      CASE WHEN NOT spanning AND priors = 0 THEN 1 ELSE 0 END,
      CASE WHEN NOT spanning AND outcome = ''held'' AND NOT held_before THEN 1 ELSE 0 END,
      (outcome = ''partial'')::int, (outcome = ''failed'')::int, (outcome = ''missed'')::int,
      (outcome = ''preempted'')::int, (outcome = ''cancelled'')::int,
      r."secondsAired", coalesce(r."skewMs", 0), (r."skewMs" IS NOT NULL)::int, r."skewMs")
  ON CONFLICT (day, "communeId", "clusterId", province, "marketDay", shape) DO UPDATE SET
      "languageSeconds" = session_rollup_add_seconds(u."languageSeconds", EXCLUDED."languageSeconds"),
      "communeName" = greatest(u."communeName", EXCLUDED."communeName"),
      "clusterName" = greatest(u."clusterName", EXCLUDED."clusterName"),
      occurrences = u.occurrences + EXCLUDED.occurrences, held = u.held + EXCLUDED.held,
      partial = u.partial + EXCLUDED.partial, failed = u.failed + EXCLUDED.failed,
      missed = u.missed + EXCLUDED.missed, preempted = u.preempted + EXCLUDED.preempted,
      cancelled = u.cancelled + EXCLUDED.cancelled, "secondsAired" = u."secondsAired" + EXCLUDED."secondsAired",
      "skewSum" = u."skewSum" + EXCLUDED."skewSum", "skewCount" = u."skewCount" + EXCLUDED."skewCount",
      "skewMax" = greatest(u."skewMax", EXCLUDED."skewMax")\073
  PERFORM set_config(''loa.session_rollup'', '''', true)\073
END\073';


-- Recomputes the whole rollup from the records under the counting rule share (the backfill
-- below, loa log rollup after LOA_SESSION_MIN_LANGUAGE_SHARE changed, the bench after its bulk
-- insert). The SHARE lock holds appends back until it commits, so none is missed or counted twice.

CREATE FUNCTION session_rollup_rebuild(new_share float8) RETURNS integer LANGUAGE plpgsql VOLATILE AS
E'DECLARE
  written integer\073
BEGIN
  IF new_share IS NULL OR new_share <= 0 OR new_share > 1 THEN
    RAISE EXCEPTION ''the share must be in (0, 1]: %'', new_share\073
  END IF\073
  LOCK TABLE session_record IN SHARE MODE\073
  PERFORM set_config(''loa.session_rollup'', ''writer'', true)\073
  TRUNCATE session_rollup, session_rollup_span, session_rollup_rule\073
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
  DROP TABLE session_rollup_source\073
  PERFORM set_config(''loa.session_rollup'', '''', true)\073
  RETURN written\073
END\073';


-- session_record_append as before, and the record it inserted added to the rollup in the same
-- statement (so under the same commune chain lock).

CREATE OR REPLACE FUNCTION session_record_append(rec jsonb, body text) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS
E'DECLARE
  chain uuid := (rec->>''communeId'')::uuid\073
  last_seq integer\073
  last_hash text\073
  next_hash text\073
  inserted session_record\073
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(''loa.session_record:'' || chain::text, 0))\073
  SELECT r.seq, r.hash INTO last_seq, last_hash FROM session_record r
    WHERE r."communeId" = chain ORDER BY r.seq DESC LIMIT 1\073
  IF last_seq IS NULL THEN
    last_seq := 0\073
    last_hash := repeat(''0'', 64)\073
  END IF\073
  next_hash := encode(sha256(convert_to((last_seq + 1)::text || chr(10) || last_hash || chr(10) || body, ''UTF8'')), ''hex'')\073
  INSERT INTO session_record SELECT * FROM jsonb_populate_record(NULL::session_record,
    rec || jsonb_build_object(''seq'', last_seq + 1, ''prevHash'', last_hash, ''hash'', next_hash))
    RETURNING * INTO inserted\073
  PERFORM session_rollup_add(inserted)\073
  RETURN jsonb_build_object(''seq'', last_seq + 1, ''hash'', next_hash)\073
END\073';


-- Backfill: the records already in the log, under the default rule (LOA_SESSION_MIN_LANGUAGE_SHARE 0.9).
SELECT session_rollup_rebuild(0.9);
