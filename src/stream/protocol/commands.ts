/** Viewer → server: the command messages and the role each needs. Part of the wire protocol (src/stream/protocol.ts re-exports it; browser-safe: no node: imports). */
import * as z from 'zod';
import { requestId, version } from './fields.js';
import { LeukocyteTypeSchema, PROTOCOL_LIMITS, type Role } from './limits.js';

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
