/**
 * The leukoscan live-dashboard wire protocol: ONE module, shared by the server
 * (src/stream) and the browser UI (ui/src), validated with zod at both edges.
 *
 * Transport: one WebSocket at `/ws?token=…`.
 *  - Text messages are JSON, one `ClientMessage` (viewer → server) or one
 *    `ServerMessage` (server → viewer). Every message carries `v`, the protocol
 *    version; a message of another version is rejected with `unsupported_version`.
 *  - Binary messages flow server → viewer only and carry one video frame:
 *      [u32 big-endian header length][header: FrameHeader as UTF-8 JSON][JPEG bytes]
 *    (see `encodeFrameMessage` / `decodeFrameMessage`). A viewer that sends a
 *    binary message is disconnected (close 1003).
 *
 * Coordinates: boxes are [x1, y1, x2, y2] in pixels of the SOURCE frame
 * (`sourceWidth` x `sourceHeight`), not of the downscaled JPEG, so overlays stay
 * exact whatever size a viewer is sent. An overlay is tied to a frame by `seq`.
 *
 * This module must stay browser-safe: no node: imports.
 */
import * as z from 'zod';
import { LEUKOCYTE_TYPES } from '../core/classes.js';

export const PROTOCOL_VERSION = 1 as const;

/** Limits that both ends agree on (the server's maxPayload is `MAX_CLIENT_MESSAGE_BYTES`). */
export const PROTOCOL_LIMITS = {
  /** Largest viewer → server message, in bytes; larger ones close the socket (1009). */
  MAX_CLIENT_MESSAGE_BYTES: 16 * 1024,
  MAX_ID_CHARS: 64,
  MAX_SOURCE_CHARS: 1024,
  MAX_CELL_ID_CHARS: 128,
  MAX_TARGET: 100_000,
  MAX_LIST_SCANS: 500,
} as const;

/** WebSocket close codes the server uses (RFC 6455 + application range). */
export const CLOSE_CODES = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
} as const;

const version = z.literal(PROTOCOL_VERSION);
/** Optional request id, echoed in the reply so a viewer can match it. */
const requestId = z.string().min(1).max(PROTOCOL_LIMITS.MAX_ID_CHARS).optional();

export const LeukocyteTypeSchema = z.enum(LEUKOCYTE_TYPES);
export const RoleSchema = z.enum(['viewer', 'operator']);
export type Role = z.infer<typeof RoleSchema>;

// ---------------------------------------------------------------------------
// Viewer → server
// ---------------------------------------------------------------------------

export const ReviewActionSchema = z.enum(['reclassify', 'reject', 'restore']);
export type ReviewAction = z.infer<typeof ReviewActionSchema>;

const command = <T extends string>(type: T) => ({ v: version, id: requestId, type: z.literal(type) });

export const StartMessageSchema = z.strictObject(command('start'));
export const PauseMessageSchema = z.strictObject(command('pause'));
export const StopMessageSchema = z.strictObject(command('stop'));
export const ResetMessageSchema = z.strictObject(command('reset'));
/** Start calibration again from the next frames (e.g. after changing the objective). */
export const RecalibrateMessageSchema = z.strictObject(command('recalibrate'));
export const SetTargetMessageSchema = z.strictObject({
  ...command('setTarget'),
  /** Number of leukocytes to count before the scan is complete. */
  target: z.int().min(1).max(PROTOCOL_LIMITS.MAX_TARGET),
});
export const SetSourceMessageSchema = z.strictObject({
  ...command('setSource'),
  /** A source URI as `leukoscan serve --source` takes it. */
  source: z.string().trim().min(1).max(PROTOCOL_LIMITS.MAX_SOURCE_CHARS),
});
/** The interrupted scan the status offers: continue it (same counts and target), or close it as 'interrupted'. */
export const ResumeInterruptedMessageSchema = z.strictObject({
  ...command('resumeInterrupted'),
  scanId: z.string().min(1).max(PROTOCOL_LIMITS.MAX_ID_CHARS),
});
export const CloseInterruptedMessageSchema = z.strictObject({
  ...command('closeInterrupted'),
  scanId: z.string().min(1).max(PROTOCOL_LIMITS.MAX_ID_CHARS),
});
export const ReviewMessageSchema = z
  .strictObject({
    ...command('review'),
    cellId: z.string().min(1).max(PROTOCOL_LIMITS.MAX_CELL_ID_CHARS),
    /** reclassify: count it as newType; reject: remove it from the differential; restore: undo reviews. */
    action: ReviewActionSchema,
    newType: LeukocyteTypeSchema.optional(),
  })
  .superRefine((msg, ctx) => {
    if (msg.action === 'reclassify' && msg.newType === undefined) {
      ctx.addIssue({ code: 'custom', path: ['newType'], message: 'reclassify needs newType' });
    }
    if (msg.action !== 'reclassify' && msg.newType !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['newType'], message: `${msg.action} takes no newType` });
    }
  });
export const ListScansMessageSchema = z.strictObject({
  ...command('listScans'),
  limit: z.int().min(1).max(PROTOCOL_LIMITS.MAX_LIST_SCANS).optional(),
});
export const OpenScanMessageSchema = z.strictObject({
  ...command('openScan'),
  scanId: z.string().min(1).max(PROTOCOL_LIMITS.MAX_ID_CHARS),
});

export const ClientMessageSchema = z.discriminatedUnion('type', [
  StartMessageSchema,
  PauseMessageSchema,
  StopMessageSchema,
  ResetMessageSchema,
  RecalibrateMessageSchema,
  SetTargetMessageSchema,
  SetSourceMessageSchema,
  ResumeInterruptedMessageSchema,
  CloseInterruptedMessageSchema,
  ReviewMessageSchema,
  ListScansMessageSchema,
  OpenScanMessageSchema,
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];

/** The role each viewer → server message needs. Viewers are read-only. */
export const REQUIRED_ROLE: Record<ClientMessageType, Role> = {
  start: 'operator',
  pause: 'operator',
  stop: 'operator',
  reset: 'operator',
  recalibrate: 'operator',
  setTarget: 'operator',
  setSource: 'operator',
  resumeInterrupted: 'operator',
  closeInterrupted: 'operator',
  review: 'operator',
  listScans: 'viewer',
  openScan: 'viewer',
};

export function roleAllows(role: Role, type: ClientMessageType): boolean {
  return REQUIRED_ROLE[type] === 'viewer' || role === 'operator';
}

// ---------------------------------------------------------------------------
// Server → viewer
// ---------------------------------------------------------------------------

/** [x1, y1, x2, y2] in source-frame pixels. */
export const BoxXyxyPixelsSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const ScanStateSchema = z.enum(['idle', 'running', 'paused', 'stopped', 'complete']);
export type ScanState = z.infer<typeof ScanStateSchema>;

/** reconnecting: a live source failed or stalled and is being restarted with backoff. */
export const SourceStateSchema = z.enum(['starting', 'running', 'stalled', 'reconnecting', 'ended', 'error']);

export const HelloMessageSchema = z.strictObject({
  v: version,
  type: z.literal('hello'),
  role: RoleSchema,
  protocol: z.literal(PROTOCOL_VERSION),
  classes: z.array(LeukocyteTypeSchema),
  maxClientMessageBytes: z.int(),
  /** Whether review/history are backed by a store on this server. */
  features: z.strictObject({ review: z.boolean(), history: z.boolean() }),
});

export const StatusMessageSchema = z.strictObject({
  v: version,
  type: z.literal('status'),
  scan: ScanStateSchema,
  target: z.int(),
  source: z.string(),
  scanId: z.string().nullable(),
  startedAtMs: z.number().nullable(),
  /** Which slide a sim: source scans, e.g. "demo slide: 20 BCCD fields, MIT"; absent for other sources. */
  slide: z.string().optional(),
  /** A scan whose process died, offered for resume or close ("Scan #12 was interrupted at 37 cells"). */
  interrupted: z
    .strictObject({ scanId: z.string(), cells: z.int().min(0), target: z.int().nullable() })
    .nullable()
    .optional(),
});

/** Frame header of a binary frame message (the JPEG follows it). */
export const FrameHeaderSchema = z.strictObject({
  v: version,
  type: z.literal('frame'),
  seq: z.int(),
  timestampMs: z.number(),
  /** Size of the JPEG (downscaled for viewers). */
  width: z.int().positive(),
  height: z.int().positive(),
  /** Size of the frame the pipeline saw; overlay boxes are in these pixels. */
  sourceWidth: z.int().positive(),
  sourceHeight: z.int().positive(),
});
export type FrameHeader = z.infer<typeof FrameHeaderSchema>;

export const OverlayCellSchema = z.strictObject({
  trackId: z.int(),
  /** A model class name (NEU … BAS, RBC, Platelets). */
  type: z.string(),
  score: z.number(),
  box: BoxXyxyPixelsSchema,
  /** True once this track has been counted in the differential. */
  counted: z.boolean(),
});
export type OverlayCell = z.infer<typeof OverlayCellSchema>;

export const OverlayMessageSchema = z.strictObject({
  v: version,
  type: z.literal('overlay'),
  /** The frame these boxes belong to. */
  seq: z.int(),
  sourceWidth: z.int().positive(),
  sourceHeight: z.int().positive(),
  cells: z.array(OverlayCellSchema),
});

export const DifferentialRowSchema = z.strictObject({
  type: LeukocyteTypeSchema,
  count: z.int().min(0),
  /** Share of all counted leukocytes, 0-100. */
  percent: z.number(),
  /** 95% confidence interval of `percent`, 0-100. */
  ciLow: z.number(),
  ciHigh: z.number(),
});
export type DifferentialRow = z.infer<typeof DifferentialRowSchema>;

export const DifferentialMessageSchema = z.strictObject({
  v: version,
  type: z.literal('differential'),
  total: z.int().min(0),
  target: z.int().min(1),
  rows: z.array(DifferentialRowSchema),
  /** How the interval was computed (e.g. 'wilson'). */
  ciMethod: z.string(),
});

export const CountedCellSchema = z.strictObject({
  cellId: z.string(),
  trackId: z.int(),
  type: LeukocyteTypeSchema,
  score: z.number(),
  seq: z.int(),
  timestampMs: z.number(),
  box: BoxXyxyPixelsSchema,
  /** Base64 JPEG crop of the cell, or null when the frame was no longer available. */
  cropJpegBase64: z.string().nullable(),
  /** The last review of this cell, or null (never reviewed, or restored). */
  review: z
    .strictObject({ action: z.enum(['reclassify', 'reject']), newType: LeukocyteTypeSchema.optional() })
    .nullable(),
});
export type CountedCell = z.infer<typeof CountedCellSchema>;

export const CountedMessageSchema = z.strictObject({ v: version, type: z.literal('counted'), cell: CountedCellSchema });

/** The recent counted cells (sent on connect and after a reset). */
export const GalleryMessageSchema = z.strictObject({
  v: version,
  type: z.literal('gallery'),
  cells: z.array(CountedCellSchema),
});

/** The detector's calibration (src/detect/calibration-state.ts), as the Health tile shows it. */
export const CalibrationHealthSchema = z.strictObject({
  status: z.enum(['off', 'calibrating', 'calibrated', 'held', 'fixed']),
  /** µm per frame pixel, and the red cells the estimate rests on; null: no scale yet. */
  umPerPx: z.number().positive().nullable(),
  rbcCount: z.int().nonnegative().nullable(),
  /** The scale was set by the operator (--um-per-px), not measured. */
  scaleOverridden: z.boolean(),
  field: z.enum(['full', 'circle', 'rect']),
  colourCalibrated: z.boolean(),
  /** Tiles per analysed frame (1: one input); null before the first frame. */
  tiles: z.int().positive().nullable(),
  /** Why it is held or has no scale, e.g. "cannot estimate scale: no red cells found". */
  message: z.string().max(PROTOCOL_LIMITS.MAX_SOURCE_CHARS).nullable(),
});
export type CalibrationHealth = z.infer<typeof CalibrationHealthSchema>;

export const HealthMessageSchema = z.strictObject({
  v: version,
  type: z.literal('health'),
  source: z.strictObject({
    uri: z.string(),
    state: SourceStateSchema,
    /** Frames per second arriving from the source. */
    fps: z.number(),
    message: z.string().nullable(),
  }),
  pipeline: z.strictObject({
    /** Frames per second through the pipeline (registration/display). */
    fps: z.number(),
    /** Detections per second (latest-wins: lower than fps when inference is slower). */
    detectFps: z.number(),
    detectMs: z.number().nullable(),
    droppedFrames: z.int(),
    /** Stage step between analysed frames / the most that lets each cell be seen whole often enough to count (>1: too fast); null: not known. */
    stagePace: z.number().nonnegative().nullable(),
    /** The detector's calibration; absent: the server does not calibrate. */
    calibration: CalibrationHealthSchema.nullable().optional(),
  }),
});

export const MetricsMessageSchema = z.strictObject({
  v: version,
  type: z.literal('metrics'),
  viewers: z.int(),
  /** Frames per second sent to THIS viewer over the last interval. */
  sentFps: z.number(),
  /** Messages dropped for THIS viewer (latest wins) since it connected, per kind. */
  dropped: z.record(z.string(), z.int()),
  framesEncoded: z.int(),
  framesSkipped: z.int(),
  rssBytes: z.number(),
  /** Largest event-loop delay of the server over the last interval (= eventLoopDelay.maxMs). */
  eventLoopDelayMs: z.number(),
  /** The server's event-loop delay over the last interval: lateness of a 10 ms timer, percentiles. */
  eventLoopDelay: z.strictObject({ p50Ms: z.number(), p99Ms: z.number(), maxMs: z.number() }).optional(),
});

/** A counted cell changed after it was sent (the tracker retyped it, or an operator reviewed it). */
export const CellUpdatedMessageSchema = z.strictObject({
  v: version,
  type: z.literal('cellUpdated'),
  cellId: z.string(),
  /** The type it counts as now. */
  cellType: LeukocyteTypeSchema,
  review: CountedCellSchema.shape.review,
});

export const ScanSummarySchema = z.strictObject({
  scanId: z.string(),
  startedAtMs: z.number(),
  endedAtMs: z.number().nullable(),
  source: z.string(),
  total: z.int(),
  target: z.int().nullable(),
});
export type ScanSummary = z.infer<typeof ScanSummarySchema>;

export const ScanDetailSchema = z.strictObject({
  summary: ScanSummarySchema,
  rows: z.array(DifferentialRowSchema),
  cells: z.array(CountedCellSchema),
});
export type ScanDetail = z.infer<typeof ScanDetailSchema>;

export const AckMessageSchema = z.strictObject({
  v: version,
  type: z.literal('ack'),
  id: z.string().optional(),
  command: z.string(),
  /** The scan state the command left (scan commands are applied one at a time, in order). */
  scan: ScanStateSchema.optional(),
});

export const ScansMessageSchema = z.strictObject({
  v: version,
  type: z.literal('scans'),
  id: z.string().optional(),
  scans: z.array(ScanSummarySchema),
});

export const ScanMessageSchema = z.strictObject({
  v: version,
  type: z.literal('scan'),
  id: z.string().optional(),
  scan: ScanDetailSchema,
});

export const ErrorCodeSchema = z.enum([
  'bad_message',
  'unsupported_version',
  'unauthorised',
  'not_available',
  'failed',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorMessageSchema = z.strictObject({
  v: version,
  type: z.literal('error'),
  id: z.string().optional(),
  code: ErrorCodeSchema,
  message: z.string(),
});

/** Every JSON (text) message the server sends. Frames are binary (see FrameHeader). */
export const ServerMessageSchema = z.discriminatedUnion('type', [
  HelloMessageSchema,
  StatusMessageSchema,
  OverlayMessageSchema,
  DifferentialMessageSchema,
  CountedMessageSchema,
  GalleryMessageSchema,
  HealthMessageSchema,
  MetricsMessageSchema,
  CellUpdatedMessageSchema,
  AckMessageSchema,
  ScansMessageSchema,
  ScanMessageSchema,
  ErrorMessageSchema,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

// ---------------------------------------------------------------------------
// Parsing at the edge
// ---------------------------------------------------------------------------

export type ParseResult<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; error: string; id?: string };

function peekId(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string' && id.length <= PROTOCOL_LIMITS.MAX_ID_CHARS) return id;
  }
  return undefined;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Parses one viewer → server text message. Never throws. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_message', error: 'message is not valid JSON' };
  }
  const id = peekId(value);
  if (typeof value === 'object' && value !== null && 'v' in value && (value as { v: unknown }).v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'unsupported_version',
      error: `protocol version ${JSON.stringify((value as { v: unknown }).v)} is not supported (server speaks v${PROTOCOL_VERSION})`,
      id,
    };
  }
  const parsed = ClientMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, code: 'bad_message', error: describeIssues(parsed.error), id };
  return { ok: true, message: parsed.data };
}

/** Parses one server → viewer text message (used by the UI and tests). Never throws. */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_message', error: 'message is not valid JSON' };
  }
  const parsed = ServerMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, code: 'bad_message', error: describeIssues(parsed.error) };
  return { ok: true, message: parsed.data };
}

// ---------------------------------------------------------------------------
// Binary frame messages
// ---------------------------------------------------------------------------

const FRAME_HEADER_LENGTH_BYTES = 4;
const MAX_FRAME_HEADER_BYTES = 4096;

/** [u32 BE header length][header JSON][JPEG]. Built once per frame and shared by all viewers. */
export function encodeFrameMessage(header: FrameHeader, jpeg: Uint8Array): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(FRAME_HEADER_LENGTH_BYTES + headerBytes.length + jpeg.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, false);
  out.set(headerBytes, FRAME_HEADER_LENGTH_BYTES);
  out.set(jpeg, FRAME_HEADER_LENGTH_BYTES + headerBytes.length);
  return out;
}

export type DecodedFrame = { ok: true; header: FrameHeader; jpeg: Uint8Array } | { ok: false; error: string };

export function decodeFrameMessage(data: Uint8Array): DecodedFrame {
  if (data.length < FRAME_HEADER_LENGTH_BYTES) return { ok: false, error: 'frame message shorter than its header length' };
  const headerLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, false);
  if (headerLength > MAX_FRAME_HEADER_BYTES || FRAME_HEADER_LENGTH_BYTES + headerLength > data.length) {
    return { ok: false, error: `frame header length ${headerLength} does not fit the ${data.length}-byte message` };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data.subarray(FRAME_HEADER_LENGTH_BYTES, FRAME_HEADER_LENGTH_BYTES + headerLength)));
  } catch {
    return { ok: false, error: 'frame header is not valid JSON' };
  }
  const parsed = FrameHeaderSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `frame header: ${describeIssues(parsed.error)}` };
  return { ok: true, header: parsed.data, jpeg: data.subarray(FRAME_HEADER_LENGTH_BYTES + headerLength) };
}
