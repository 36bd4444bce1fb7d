// One airing over an opened push: the rendition's 20 ms frames written as HTTP chunks at the media
// clock (the device plays as it receives, so nothing is sent ahead of its time), the request
// ended after the last one, and the device's answer kept. The device answering early, or the
// connection dropping, ends the airing with the seconds written until then.
import type { FrameTrack } from '../../../media/frames/index.ts';
import { type LatenessSummary, pace, wallTimeOf } from '../../dispatch/pacer.ts';
import type { Airing, AiringOutcome } from '../driver.ts';
import { secondsOf } from '../programme.ts';
import { type DeviceAnswer, type OpenedPush, type Reason, refusalOf, tookNoAudio } from './device.ts';

/** After the last chunk, how long the device may take to answer (Axis answers at once). */
const ANSWER_AFTER_END_MS = 5_000;
/** After a stop, how long the device may take to answer before the connection is cut. */
const ANSWER_AFTER_STOP_MS = 500;

export interface PushEvidence {
  login: 'digest' | 'basic' | 'none';
  contentType: string;
}

type Answered = DeviceAnswer | { dropped: string };

export function airPush(opened: OpenedPush, track: FrameTrack, evidence: PushEvidence): Airing {
  const { req } = opened;
  let bytes = 0;
  let stopReason: Reason | undefined;
  const frames = track.frames;
  const pacing = pace({
    count: frames.length,
    dueMs: (i) => ((frames[i]?.offset ?? 0) * 1000) / track.clockRate,
    send: (i) => {
      const data = frames[i]?.data;
      if (!data) return;
      req.write(data);
      bytes += data.length;
    },
  });
  const firstAudioAt = Promise.resolve(wallTimeOf(pacing.startedAt));

  const done = (async (): Promise<AiringOutcome> => {
    const first = await Promise.race([
      pacing.done.then((report) => ({ report, answer: undefined })),
      opened.answered.then((answer) => ({ report: undefined, answer })),
    ]);
    let answer: Answered | undefined = first.answer;
    let lateness: LatenessSummary | undefined = first.report?.lateness;
    if (answer) {
      // The device answered or went away while the audio was still going out.
      pacing.stop();
      lateness = (await pacing.done).lateness;
    } else {
      req.end(); // the last chunk: the device finishes playing and answers
      answer = await within(opened.answered, stopReason ? ANSWER_AFTER_STOP_MS : ANSWER_AFTER_END_MS);
    }
    req.destroy();
    const whole = pacing.sent >= frames.length;
    const sent = secondsOf(track, pacing.sent);
    const receipt = receiptOf(answer, evidence, {
      bytes,
      chunks: pacing.sent,
      ...(lateness ? { lateness } : {}),
    });
    if (answer && 'status' in answer && tookNoAudio(answer.status)) {
      return { secondsAired: 0, error: refusalOf(answer, sent), receipt };
    }
    if (stopReason) return { secondsAired: sent, error: stopReason, receipt };
    if (whole) return { secondsAired: sent, receipt };
    if (!answer) return { secondsAired: sent, receipt };
    return { secondsAired: sent, error: endedEarly(answer, sent), receipt };
  })();

  return {
    firstAudioAt,
    done,
    stop(reason) {
      if (pacing.sent >= frames.length) return; // already whole: nothing was cut
      stopReason ??= reason;
      pacing.stop();
    },
  };
}

/** An airing that ends before its first audio: the device refused, or went away, before the instant. */
export function refusedAiring(reason: Reason, receipt: Record<string, unknown>): Airing {
  const firstAudioAt = Promise.reject(reason);
  firstAudioAt.catch(() => {}); // a caller that only awaits `done` must not see an unhandled rejection
  return { firstAudioAt, done: Promise.resolve({ secondsAired: 0, error: reason, receipt }), stop: () => {} };
}

export function endedEarly(answer: Answered, secondsSent: number): Reason {
  if ('status' in answer) return refusalOf(answer, secondsSent);
  return {
    code: 'connection-dropped',
    message: `mất kết nối với thiết bị sau ${secondsSent.toFixed(1)} s (${answer.dropped}) / the connection to the device dropped after ${secondsSent.toFixed(1)} s (${answer.dropped})`,
  };
}

export function receiptOf(
  answer: Answered | undefined,
  evidence: PushEvidence,
  sent: Record<string, unknown>,
): Record<string, unknown> {
  const device =
    answer && 'status' in answer
      ? {
          status: answer.status,
          headers: answer.headers,
          ...(answer.status >= 300 && answer.body ? { body: answer.body } : {}),
        }
      : { status: null, ...(answer ? { dropped: answer.dropped } : { answer: 'none in time' }) };
  return { ...device, ...evidence, ...sent };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
