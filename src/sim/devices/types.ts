import type { LeukocyteType } from '../../core/classes.js';
import type { Frame } from '../../core/frame.js';
import type { Box } from '../../track/types.js';

/**
 * A simulated microscope + camera. Every field is optional degradation on top of
 * BCCD's look except `magnification` and `frame`; `{ magnification: 1, frame: 640x480 }`
 * and nothing else is the reference device (BCCD test fields as they are).
 */
export interface DeviceSpec {
  readonly name: string;
  readonly description: string;
  /** Optical magnification relative to the source fields (BCCD: 1). < 1 shows more slide, as a mosaic of fields. */
  readonly magnification: number;
  /** Output frame size, pixels. */
  readonly frame: { readonly width: number; readonly height: number };
  /** A smartphone on the eyepiece: circular field of view of this radius (fraction of min(w, h) / 2), black outside. */
  readonly eyepiece?: { readonly radiusFraction: number };
  /** A colour cast: name of a profile in src/colour/device-profiles.ts. */
  readonly colourProfile?: string;
  /** Stain shift in optical density: haematoxylin-like (blue) and eosin-like (pink) amounts multiplied. */
  readonly stain?: StainShift;
  /** Illuminant colour (the background a clean slide would show), 0-255 per channel: gains rgb / 255. */
  readonly illuminant?: readonly [number, number, number];
  /** Defocus: Gaussian blur sigma in output pixels. */
  readonly blurSigma?: number;
  /** JPEG round trip at this quality (1-100). */
  readonly jpegQuality?: number;
  /** Sensor noise: Gaussian, standard deviation in 8-bit levels. */
  readonly noise?: number;
}

/** Multipliers of the stain concentrations (1 = unchanged): blue = haematoxylin-like, pink = eosin-like. */
export interface StainShift {
  readonly blue: number;
  readonly pink: number;
}

/** An annotated source field with its red-cell boxes (the scale ruler's truth). */
export interface DeviceSourceField {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  /** Leukocyte boxes (image pixels); `type` null where the dataset gives none. */
  readonly cells: readonly { readonly box: Box; readonly type: LeukocyteType | null }[];
  /** Red-cell boxes (image pixels); may be empty where the dataset has none. */
  readonly rbcBoxes: readonly Box[];
}

/** A leukocyte in a rendered device frame (frame pixels). */
export interface DeviceCell {
  readonly box: Box;
  readonly type: LeukocyteType | null;
  /** Source field name. */
  readonly field: string;
  /**
   * Not scored (COCO crowd-like: neither a miss nor a false positive): cut by its source image's
   * edge, by the frame's edge, or by the eyepiece circle.
   */
  readonly ignore: boolean;
}

/** One rendered device frame with its ground truth. */
export interface DeviceFrame {
  readonly device: string;
  /** Frame id, unique within one device run (e.g. "x0.25#3"). */
  readonly id: string;
  readonly frame: Frame;
  readonly cells: readonly DeviceCell[];
  /** Truth for the scale estimate: median sqrt(w·h) of the source fields' red-cell boxes × magnification; null without RBC boxes. */
  readonly rbcDiameterPx: number | null;
  /** Source fields shown. */
  readonly fields: readonly string[];
}
