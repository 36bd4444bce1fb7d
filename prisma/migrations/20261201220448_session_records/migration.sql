-- CreateEnum
CREATE TYPE "SessionRecordKind" AS ENUM ('ENDED');

-- CreateTable
CREATE TABLE "session_record" (
    "communeId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "prevHash" VARCHAR(64) NOT NULL,
    "hash" VARCHAR(64) NOT NULL,
    "kind" "SessionRecordKind" NOT NULL DEFAULT 'ENDED',
    "broadcastId" UUID NOT NULL,
    "broadcastKind" "BroadcastKind" NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL,
    "communeCode" TEXT NOT NULL,
    "communeName" TEXT NOT NULL,
    "province" TEXT NOT NULL,
    "clusterId" UUID NOT NULL,
    "clusterName" TEXT NOT NULL,
    "clusterLocation" TEXT NOT NULL DEFAULT '',
    "slotId" UUID,
    "slotName" TEXT,
    "slotTimeOfDay" VARCHAR(5),
    "calendarName" TEXT,
    "requestId" UUID,
    "occurrenceKey" TEXT NOT NULL,
    "marketDay" VARCHAR(10),
    "lunarDate" JSONB,
    "priority" "BulletinPriority" NOT NULL,
    "bulletins" JSONB NOT NULL,
    "bulletinIds" UUID[],
    "programmes" TEXT[],
    "renditionSha256" TEXT[],
    "languages" TEXT[],
    "languageSeconds" JSONB NOT NULL,
    "minLanguageShare" DOUBLE PRECISION,
    "durationSec" DOUBLE PRECISION NOT NULL,
    "secondsAired" DOUBLE PRECISION NOT NULL,
    "scheduledAt" TIMESTAMPTZ(3) NOT NULL,
    "claimedAt" TIMESTAMPTZ(3),
    "firstAudioAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3) NOT NULL,
    "skewMs" DOUBLE PRECISION,
    "spreadMs" DOUBLE PRECISION,
    "attempts" INTEGER NOT NULL,
    "status" "BroadcastStatus" NOT NULL,
    "reasonCode" TEXT,
    "reason" TEXT,
    "driverKind" "DriverKind" NOT NULL,
    "profileId" TEXT NOT NULL,
    "receipt" JSONB,
    "triggeredById" UUID,
    "triggeredBy" TEXT,
    "triggerReason" TEXT,
    "preemptedById" UUID,

    CONSTRAINT "session_record_pkey" PRIMARY KEY ("communeId","seq")
);

-- CreateTable
CREATE TABLE "session_start" (
    "broadcastId" UUID NOT NULL,
    "communeId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "scheduledAt" TIMESTAMPTZ(3) NOT NULL,
    "firstAudioAt" TIMESTAMPTZ(3) NOT NULL,
    "skewMs" DOUBLE PRECISION,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_start_pkey" PRIMARY KEY ("broadcastId")
);

-- CreateIndex
CREATE INDEX "session_record_communeId_scheduledAt_idx" ON "session_record"("communeId", "scheduledAt");

-- CreateIndex
CREATE INDEX "session_record_province_scheduledAt_idx" ON "session_record"("province", "scheduledAt");

-- CreateIndex
CREATE INDEX "session_record_clusterId_scheduledAt_idx" ON "session_record"("clusterId", "scheduledAt");

-- CreateIndex
CREATE INDEX "session_record_status_scheduledAt_idx" ON "session_record"("status", "scheduledAt");

-- CreateIndex
CREATE UNIQUE INDEX "session_record_broadcastId_kind_key" ON "session_record"("broadcastId", "kind");

-- CreateIndex
CREATE INDEX "session_start_communeId_scheduledAt_idx" ON "session_start"("communeId", "scheduledAt");

-- The broadcast log is append-only, like the audit trail: UPDATE, DELETE and TRUNCATE are refused
-- by the database itself. (Semicolons inside function bodies are written \073, and comments hold no
-- semicolons or quotes: the schema engine splits a migration at every semicolon when the driver
-- takes one statement at a time, and reads a quote as the start of a string.)
CREATE FUNCTION session_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN RAISE EXCEPTION ''% is append-only (% refused)'', TG_TABLE_NAME, TG_OP USING ERRCODE = ''insufficient_privilege''\073 END\073';

CREATE TRIGGER session_record_no_update_delete
  BEFORE UPDATE OR DELETE ON "session_record"
  FOR EACH ROW EXECUTE FUNCTION session_log_append_only();

CREATE TRIGGER session_record_no_truncate
  BEFORE TRUNCATE ON "session_record"
  FOR EACH STATEMENT EXECUTE FUNCTION session_log_append_only();

CREATE TRIGGER session_start_no_update_delete
  BEFORE UPDATE OR DELETE ON "session_start"
  FOR EACH ROW EXECUTE FUNCTION session_log_append_only();

CREATE TRIGGER session_start_no_truncate
  BEFORE TRUNCATE ON "session_start"
  FOR EACH STATEMENT EXECUTE FUNCTION session_log_append_only();

-- Appends one record to the chain of its commune in one round trip: takes the commune chain lock
-- (a transaction-scoped advisory lock, so endings in other communes never wait), reads the head
-- in a fresh snapshot taken after the lock (each statement of a volatile function takes one), and
-- inserts the record with seq = head + 1, prevHash = hash of the head and
-- hash = sha256("<seq>\n<prevHash>\n<body>"). body is the canonical serialisation of the record,
-- made by domain/session-log/canonical.ts from the same values as rec, and loa log verify
-- recomputes it from the stored columns. The primary key (communeId, seq) would refuse a fork.
CREATE FUNCTION session_record_append(rec jsonb, body text) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS
E'DECLARE
  chain uuid := (rec->>''communeId'')::uuid\073
  last_seq integer\073
  last_hash text\073
  next_hash text\073
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
    rec || jsonb_build_object(''seq'', last_seq + 1, ''prevHash'', last_hash, ''hash'', next_hash))\073
  RETURN jsonb_build_object(''seq'', last_seq + 1, ''hash'', next_hash)\073
END\073';
