/**
 * The canvas of the workspace (DESIGN §8): the frame picture with the segmentation overlay on top,
 * drawn by PixiJS v8 on WebGL2.
 *
 * - Picture: one `Sprite` over one `ImageSource` whose resource is swapped per frame (never
 *   `Texture.from` per frame: it caches every resource it sees and leaks).
 * - Overlay: one quad `Mesh` with a custom shader reading two textures:
 *   - the label map as ONE `r8unorm` `BufferImageSource` (1 byte per frame pixel), re-uploaded
 *     with `texSubImage2D` on every frame change. The buffer is column-major (RLE order), so it
 *     is uploaded as a texture `height` wide and `width` tall and the shader swaps u and v;
 *   - a 256×1 premultiplied RGBA palette: hover, selection and visibility only re-upload this 1 KB.
 * - Both sit in one container carrying the viewport transform.
 * - Rendering is on demand: the ticker never runs; each change asks for one render in the next
 *   animation frame (several changes in one task coalesce), and `renderNow` renders at once.
 *
 * Pitfalls handled here (research/stack.md §1.2): explicit `format: 'r8unorm'` (a Uint8Array
 * otherwise becomes `bgra8unorm`), `UNPACK_ALIGNMENT = 1` before label uploads (rows of an R8
 * texture whose width is not a multiple of 4 otherwise shear), nearest filtering for labels and
 * palette, and no texture garbage collection of a picture whose `ImageBitmap` may be closed.
 */
import {
  Application,
  BufferImageSource,
  Container,
  GlProgram,
  ImageSource,
  Mesh,
  MeshGeometry,
  RendererType,
  Shader,
  Sprite,
  Texture,
  type WebGLRenderer,
} from 'pixi.js';
import type { LabelMap } from './labelMap.js';
import { PALETTE_SIZE } from './palette.js';
import type { Viewport } from './viewport.js';

export interface OverlayRendererOptions {
  /** Clear colour behind the frame (letterbox), 0xRRGGBB. Default 0x000000. */
  background?: number;
  /** Device pixels per CSS pixel. Default `window.devicePixelRatio`. */
  resolution?: number;
}

const VERTEX = /* glsl */ `#version 300 es
in vec2 aPosition;
in vec2 aUV;
out vec2 vUV;
uniform mat3 uProjectionMatrix;
uniform mat3 uWorldTransformMatrix;
uniform mat3 uTransformMatrix;
void main() {
  mat3 mvp = uProjectionMatrix * uWorldTransformMatrix * uTransformMatrix;
  gl_Position = vec4((mvp * vec3(aPosition, 1.0)).xy, 0.0, 1.0);
  vUV = aUV;
}
`;

// highp samplers: GLSL ES gives sampler2D a lowp default, too coarse for label * 255 on GPUs
// that honour it.
const FRAGMENT = /* glsl */ `#version 300 es
precision highp float;
in vec2 vUV;
uniform highp sampler2D uLabels;
uniform highp sampler2D uPalette;
out vec4 finalColor;
void main() {
  // Column-major label map: texture x runs down a frame column (frame y), texture y across (frame x).
  float label = texture(uLabels, vUV.yx).r;
  finalColor = texture(uPalette, vec2((label * 255.0 + 0.5) / ${PALETTE_SIZE.toFixed(1)}, 0.5));
}
`;

export class OverlayRenderer {
  readonly canvas: HTMLCanvasElement;
  /** e.g. `webgl2 (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device ...)))`. */
  readonly rendererName: string;

  private readonly gl: WebGL2RenderingContext;
  private readonly world = new Container();
  private readonly picture: Sprite;
  private pictureSource: ImageSource | null = null;
  private readonly quad: MeshGeometry;
  private readonly overlay: Mesh<MeshGeometry, Shader>;
  private readonly shader: Shader;
  private readonly labelSource: BufferImageSource;
  private readonly paletteSource: BufferImageSource;
  private frameWidth = 1;
  private frameHeight = 1;
  private rafId: number | null = null;
  private destroyed = false;

  private constructor(private readonly app: Application<WebGLRenderer>) {
    const renderer = app.renderer;
    this.canvas = app.canvas;
    this.gl = renderer.gl as WebGL2RenderingContext;
    this.rendererName = describeRenderer(this.gl, renderer.context.webGLVersion);

    this.picture = new Sprite({ texture: Texture.EMPTY, visible: false });
    this.labelSource = OverlayRenderer.labelTexture(1, 1);
    this.paletteSource = new BufferImageSource({
      resource: new Uint8Array(PALETTE_SIZE * 4),
      width: PALETTE_SIZE,
      height: 1,
      format: 'rgba8unorm',
      // Already premultiplied by buildPalette: the upload must not multiply again.
      alphaMode: 'no-premultiply-alpha',
      scaleMode: 'nearest',
      autoGenerateMipmaps: false,
    });
    this.shader = new Shader({
      glProgram: new GlProgram({ vertex: VERTEX, fragment: FRAGMENT, name: 'maskroom-label-overlay' }),
      resources: { uLabels: this.labelSource, uPalette: this.paletteSource },
    });
    this.quad = new MeshGeometry({
      positions: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]),
      uvs: new Float32Array([0, 0, 1, 0, 1, 1, 0, 1]),
      indices: new Uint32Array([0, 1, 2, 0, 2, 3]),
    });
    this.overlay = new Mesh({ geometry: this.quad, shader: this.shader });
    this.world.addChild(this.picture, this.overlay);
    app.stage.addChild(this.world);
    // The React layer above owns pointer input; the scene is never hit-tested.
    app.stage.eventMode = 'none';
    this.world.eventMode = 'none';
    this.gl.pixelStorei(this.gl.UNPACK_ALIGNMENT, 1);
  }

  /** Creates the renderer and appends its canvas to `host`. Throws when WebGL2 is unavailable. */
  static async create(host: HTMLElement, opts: OverlayRendererOptions = {}): Promise<OverlayRenderer> {
    const app = new Application<WebGLRenderer>();
    const width = Math.max(1, host.clientWidth);
    const height = Math.max(1, host.clientHeight);
    await app.init({
      preference: 'webgl',
      preferWebGLVersion: 2,
      background: opts.background ?? 0x000000,
      antialias: false,
      autoStart: false,
      sharedTicker: false,
      autoDensity: true,
      resolution: opts.resolution ?? window.devicePixelRatio,
      width,
      height,
      powerPreference: 'high-performance',
    });
    // Without WebGL, Pixi falls back to another renderer whatever the preference says.
    if (app.renderer.type !== RendererType.WEBGL || app.renderer.context.webGLVersion !== 2) {
      app.destroy(true);
      throw new Error('The canvas needs WebGL2 (r8unorm label textures); this browser did not provide it.');
    }
    app.ticker.stop();
    // Pixi's event system would listen on the canvas (and run a ticker to replay pointer moves);
    // the scene is never hit-tested, so detach it.
    app.renderer.events.setTargetElement(null as unknown as HTMLElement);
    host.appendChild(app.canvas);
    app.canvas.style.display = 'block';
    return new OverlayRenderer(app);
  }

  private static labelTexture(frameWidth: number, frameHeight: number): BufferImageSource {
    return new BufferImageSource({
      resource: new Uint8Array(frameWidth * frameHeight),
      // Transposed on purpose: see the module comment.
      width: frameHeight,
      height: frameWidth,
      format: 'r8unorm',
      alphaMode: 'no-premultiply-alpha',
      scaleMode: 'nearest',
      autoGenerateMipmaps: false,
    });
  }

  /** Sets the frame size in pixels; (re)allocates the label texture only when the size changes. */
  setFrameSize(width: number, height: number): void {
    if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
      throw new RangeError(`frame size must be positive integers, got ${width}×${height}`);
    }
    if (width === this.frameWidth && height === this.frameHeight) return;
    this.frameWidth = width;
    this.frameHeight = height;
    // One source for the renderer's life: a resize re-allocates its GL texture (texImage2D) and
    // nothing bound to the shader is ever destroyed under it.
    this.labelSource.resource = new Uint8Array(width * height);
    this.labelSource.resize(height, width);
    const positions = this.quad.positions;
    positions.set([0, 0, width, 0, width, height, 0, height]);
    this.quad.getBuffer('aPosition').update();
    this.picture.setSize(width, height);
    this.requestRender();
  }

  /** Shows `bitmap` as the frame picture (stretched to the frame size), or hides the picture. */
  setImage(bitmap: ImageBitmap | null): void {
    if (bitmap === null) {
      this.picture.visible = false;
    } else if (this.pictureSource === null) {
      this.pictureSource = new ImageSource({ resource: bitmap, autoGenerateMipmaps: false });
      // The cache closes evicted bitmaps: the GPU copy must never be dropped and re-read later.
      this.pictureSource.autoGarbageCollect = false;
      this.picture.texture = new Texture({ source: this.pictureSource });
      this.picture.visible = true;
    } else {
      this.pictureSource.resource = bitmap;
      // Same size: texSubImage2D into the texture already there. Another size: a resize + upload.
      this.pictureSource.update();
      this.picture.visible = true;
    }
    this.picture.setSize(this.frameWidth, this.frameHeight);
    this.requestRender();
  }

  /** Uploads the label map (one `texSubImage2D`); its size must be the frame size. */
  setLabels(map: LabelMap): void {
    if (map.width !== this.frameWidth || map.height !== this.frameHeight) {
      throw new RangeError(
        `label map is ${map.width}×${map.height} but the frame is ${this.frameWidth}×${this.frameHeight}`,
      );
    }
    this.gl.pixelStorei(this.gl.UNPACK_ALIGNMENT, 1);
    this.labelSource.resource = map.data;
    this.labelSource.update();
    this.requestRender();
  }

  /** Uploads the 256×1 premultiplied RGBA palette (`buildPalette`). */
  setPalette(rgba: Uint8Array): void {
    if (rgba.length !== PALETTE_SIZE * 4) {
      throw new RangeError(`palette must have ${PALETTE_SIZE * 4} bytes, got ${rgba.length}`);
    }
    (this.paletteSource.resource as Uint8Array).set(rgba);
    this.paletteSource.update();
    this.requestRender();
  }

  setViewport(v: Viewport): void {
    this.world.scale.set(v.scale);
    this.world.position.set(v.offsetX, v.offsetY);
    this.requestRender();
  }

  /** Sizes the drawing buffer to the canvas's display size × `resolution` (not the video's). */
  resize(cssWidth: number, cssHeight: number, resolution: number = window.devicePixelRatio): void {
    this.app.renderer.resize(Math.max(1, cssWidth), Math.max(1, cssHeight), resolution);
    this.requestRender();
  }

  /** Renders in the next animation frame; repeated calls before then render once. */
  requestRender(): void {
    if (this.rafId !== null || this.destroyed) return;
    this.rafId = requestAnimationFrame(() => {
      this.rafId = null;
      this.renderNow();
    });
  }

  /** Renders now (submits the GL commands; the browser shows them at its next composite). */
  renderNow(): void {
    if (this.destroyed) return;
    if (this.rafId !== null) {
      cancelAnimationFrame(this.rafId);
      this.rafId = null;
    }
    // A label texture first uploaded during this render needs the alignment too.
    this.gl.pixelStorei(this.gl.UNPACK_ALIGNMENT, 1);
    this.app.renderer.render(this.app.stage);
  }

  /**
   * Test hook: renders, then reads the colour at canvas point (`canvasX`, `canvasY`) in CSS px
   * straight from the drawing buffer, as RGBA 0..255. Reading in the same task as the render
   * needs no `preserveDrawingBuffer`.
   */
  readPixel(canvasX: number, canvasY: number): [number, number, number, number] {
    this.renderNow();
    const gl = this.gl;
    const resolution = this.app.renderer.resolution;
    const x = Math.floor(canvasX * resolution);
    // GL rows count from the bottom.
    const y = gl.drawingBufferHeight - 1 - Math.floor(canvasY * resolution);
    const out = new Uint8Array(4);
    gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
    return [out[0]!, out[1]!, out[2]!, out[3]!];
  }

  /**
   * Test hook: renders, then reads the whole drawing buffer (device pixels, rows top to bottom,
   * RGBA 0..255), for comparing every pixel against the expected overlay.
   */
  snapshot(): { width: number; height: number; resolution: number; data: Uint8Array } {
    this.renderNow();
    const gl = this.gl;
    const width = gl.drawingBufferWidth;
    const height = gl.drawingBufferHeight;
    const raw = new Uint8Array(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, raw);
    const data = new Uint8Array(raw.length);
    const stride = width * 4;
    for (let y = 0; y < height; y++) {
      data.set(raw.subarray((height - 1 - y) * stride, (height - y) * stride), y * stride);
    }
    return { width, height, resolution: this.app.renderer.resolution, data };
  }

  /** Blocks until the GPU has executed everything submitted (benchmarks: "to pixels" time). */
  finish(): void {
    this.gl.finish();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.rafId !== null) cancelAnimationFrame(this.rafId);
    this.rafId = null;
    // The scene first, so no texture is destroyed while a shader still binds it.
    this.app.destroy({ removeView: true }, { children: true });
    this.shader.destroy();
    this.labelSource.destroy();
    this.paletteSource.destroy();
    this.pictureSource?.destroy();
  }
}

function describeRenderer(gl: WebGL2RenderingContext, version: number): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name: unknown = gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL);
  return `webgl${version} (${typeof name === 'string' ? name : 'unknown'})`;
}
