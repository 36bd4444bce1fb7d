/**
 * HTTP push to IP speakers, Axis VAPIX style: `POST /axis-cgi/audio/transmit.cgi` (the path is the
 * config URL's) with `Content-Type: audio/basic` (µ-law 8 kHz) or `audio/axis-mulaw-128` (µ-law
 * 16 kHz); the device plays the body as it arrives and answers when it ends.
 *
 * Ahead of the instant (`prepare`): the programme is read, a bodiless POST draws the device's
 * 401 challenge, and the audio POST is opened with its Authorization and chunked headers sent, so
 * `start` only writes audio. Each challenge nonce is used exactly once, a few milliseconds after
 * it was issued, by the one request it was drawn for: that holds with devices whose nonces are
 * single-use or short-lived, and a digest is never replayed. The device sees its transmit open
 * up to `leadMs` before the first audio (Axis waits for the body).
 *
 * A refusal (3xx — never followed —, 401/403 after the login, another 4xx, an https certificate
 * the host does not trust) ends the airing failed with 0 s, at its start; a device that does not
 * answer makes `prepare` throw cluster-offline (retried); a dropped connection or a device ending
 * early ends the airing with the seconds written.
 */
import type { z } from 'zod';
import { DriverConfigByKind } from '../../../domain/driver-config.ts';
import { clusterProfileId } from '../../../media/cluster-profile.ts';
import type { AiringRequest, ClusterProbe, Driver, PreparedAiring } from '../driver.ts';
import { tcpProbe } from '../probe.ts';
import { assertProfile, readProgramme } from '../programme.ts';
import { airPush, endedEarly, type PushEvidence, receiptOf, refusedAiring } from './air.ts';
import {
  type DeviceAnswer,
  DeviceRefusal,
  logIn,
  type OpenedPush,
  openPush,
  type Reason,
  type Target,
} from './device.ts';

export type HttpPushConfig = z.infer<(typeof DriverConfigByKind)['HTTP_PUSH']>;

export class HttpPushDriver implements Driver<HttpPushConfig> {
  readonly kind = 'HTTP_PUSH';
  readonly leadMs = 2000;

  parseConfig(config: unknown): HttpPushConfig {
    return DriverConfigByKind.HTTP_PUSH.parse(config);
  }

  profileId(config: HttpPushConfig): string {
    return clusterProfileId('HTTP_PUSH', config);
  }

  /** The device's web server accepts a TCP connection. */
  async probe(config: HttpPushConfig, signal: AbortSignal): Promise<ClusterProbe> {
    const url = new URL(config.url);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return tcpProbe(url.hostname.replace(/^\[|\]$/g, ''), port, signal);
  }

  async prepare(request: AiringRequest, signal: AbortSignal): Promise<PreparedAiring> {
    const config = this.parseConfig(request.config);
    assertProfile(request, this.profileId(config));
    const track = await readProgramme(request, signal);
    if (track.frames.length === 0) throw new Error('the programme has no audio');
    const target: Target = {
      url: new URL(config.url),
      contentType: config.format,
      ...(config.username !== undefined && config.password !== undefined
        ? { credentials: { username: config.username, password: config.password } }
        : {}),
    };
    const evidence: PushEvidence = { login: 'none', contentType: config.format };
    const refused = (reason: Reason, answer?: DeviceAnswer): PreparedAiring => ({
      start: () =>
        refusedAiring(
          reason,
          answer
            ? receiptOf(answer, evidence, { bytes: 0, chunks: 0 })
            : { status: null, ...evidence, bytes: 0 },
        ),
      abandon: async () => {},
    });
    let opened: OpenedPush;
    try {
      const login = await logIn(target, signal);
      if (login.refusal) return refused(login.refusal, login.answer);
      if (login.login && login.login.scheme !== 'unsupported') evidence.login = login.login.scheme;
      opened = await openPush(target, login.login, signal);
    } catch (err) {
      if (err instanceof DeviceRefusal) return refused(err.reason);
      throw err;
    }
    // The device may refuse the login (or hang up) as soon as it has read the headers, before the instant.
    let early: Awaited<typeof opened.answered> | undefined;
    void opened.answered.then((answer) => {
      early = answer;
    });
    return {
      start: () => {
        if (!early) return airPush(opened, track, evidence);
        opened.req.destroy();
        return refusedAiring(endedEarly(early, 0), receiptOf(early, evidence, { bytes: 0, chunks: 0 }));
      },
      abandon: async () => {
        opened.req.destroy();
      },
    };
  }
}
