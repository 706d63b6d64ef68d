export { COLOURS, COLOUR_NAMES, nearestColour, type ColourName } from './palette.js';
export { SHAPE_NAMES, insideShape, type ShapeName } from './shapes.js';
export {
  SCENE_SIZE,
  SIZE_NAMES,
  SIZE_PIXELS,
  POSITION_NAMES,
  POSITION_CENTRES,
  MIN_GAP,
  PATTERN_KINDS,
  PATTERN_CELL,
  objectBox,
  boxesApart,
  validateScene,
  type SizeName,
  type PositionName,
  type SceneObject,
  type Scene,
  type Box,
  type ObjectPattern,
  type PatternKind,
} from './scene.js';
export { renderScene, objectCovers, inSecondCell } from './render.js';
export { measurePattern, type PatternMeasure } from './pattern-fidelity.js';
export { randomScene, type RandomSceneOptions } from './random-scene.js';
export { caption, parseCaption, PLACE_PHRASES } from './caption.js';
export { analyseImage, type ImageAnalysis, type FoundObject, type AnalyseOptions } from './analyse.js';
export { scoreAnalysis, type SceneScore, type ObjectScore } from './score.js';
export { classifyShape, SILHOUETTE_BLURS, type ShapeGuess } from './classify-shape.js';
export { connectedComponents, type Component } from './components.js';
export { tileImages, enlargeRegion } from './grid.js';
export { SceneError } from './errors.js';
