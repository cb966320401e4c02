/** Server → viewer: the event messages. Part of the wire protocol (src/stream/protocol.ts re-exports it; browser-safe: no node: imports). */
import * as z from 'zod';
import { version } from './fields.js';
import { LeukocyteTypeSchema, PROTOCOL_LIMITS, PROTOCOL_VERSION, RoleSchema } from './limits.js';

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

/** A differential message without its envelope (what the session emits). */
export type DifferentialBody = Omit<z.infer<typeof DifferentialMessageSchema>, 'v' | 'type'>;

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

/**
 * A counted cell's count was taken back: the tracker found it to be the cell `keptCellId`, counted
 * earlier (two maps of the slide merged, e.g. a video that started over). Viewers drop it from the
 * gallery; the `differential` that follows no longer counts it.
 */
export const CellRetractedMessageSchema = z.strictObject({
  v: version,
  type: z.literal('cellRetracted'),
  cellId: z.string(),
  /** The cell it was one with, which stays counted. */
  keptCellId: z.string(),
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
  CellRetractedMessageSchema,
  AckMessageSchema,
  ScansMessageSchema,
  ScanMessageSchema,
  ErrorMessageSchema,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
