/**
 * The steps at which a stage's curriculum switches something on (absent: never). They belong to a
 * run's settings (`StageSettings` extends this) but not to its identity: a resume may move one while
 * it lies ahead of the checkpoint, so a stage can be lengthened and given a new phase across sessions.
 * Declared once here; {@link SWITCH_STEPS} lists the same keys for code that walks them (resume checks,
 * `train-base`'s flags, which are the keys in kebab case: `hardShapesFrom` → `--hard-shapes-from`).
 */
export interface StageCurriculum {
  /**
   * Step from which training scenes may hold striped and checkered objects (absent: never). The
   * committed model learnt flat scenes first and met patterns later.
   */
  readonly patternsFrom?: number;
  /**
   * Step from which the diffusion loss weighs the latent cells around objects up (absent: never;
   * the weight is `OBJECT_CELL_WEIGHT`).
   */
  readonly objectWeightFrom?: number;
  /**
   * Step from which the reconstruction loss weighs every pixel of an object's box (and a margin)
   * up, not only the object's own pixels (absent: never).
   */
  readonly boxWeightFrom?: number;
  /**
   * Step from which a small object's box weighs `SMALL_BOX_WEIGHT_FACTOR` times a large one's in the
   * box-weighted reconstruction loss (absent: never; no effect before `boxWeightFrom`).
   */
  readonly smallBoxWeightFrom?: number;
  /**
   * Step from which a third of the scenes (diffusion or reconstruction) hold only small stars, crosses
   * and rings (`HARD_SHAPES`; absent: never).
   */
  readonly hardShapesFrom?: number;
  /**
   * Step from which a third of the scenes hold only small objects, of any shape, set on gray more often
   * (`SMALL_SCENE_SHARE`; absent: never).
   */
  readonly smallScenesFrom?: number;
  /**
   * Step from which a quarter of the scenes hold only small diamonds, crosses and stars
   * (`LOOKALIKE_SHAPES`, the shapes the denoiser confuses; absent: never).
   */
  readonly lookalikeShapesFrom?: number;
  /**
   * Diffusion stage: step from which half of the samples whose scene holds only small objects draw
   * their timestep from the middle of the schedule (`MID_NOISE_TIMESTEPS`, where the denoiser settles
   * a small shape) instead of from all of it (absent: never).
   */
  readonly midNoiseFrom?: number;
  /**
   * Step from which each object's box (reconstruction stages; no effect before `boxWeightFrom`) or
   * latent cells (diffusion) weigh more the closer its colour lies to the background's
   * (`contrastFactor`; absent: never).
   */
  readonly contrastWeightFrom?: number;
  /**
   * Diffusion stage, and decoder stage with `generatedLatentsFrom`: step from which an object's latent
   * cells (or box) weigh more the closer its colour lies to the background's in the frozen encoder's
   * latent (`latentContrastFactor`), in place of the RGB `contrastWeightFrom` weights (absent: never;
   * other stages refuse it).
   */
  readonly latentContrastFrom?: number;
  /**
   * Diffusion stage, and decoder stage with `generatedLatentsFrom`: step from which a third of the
   * scenes (after lookalike ones) hold small objects of one colour on a background the frozen encoder
   * puts close to it (`LOW_CONTRAST_SCENE_SHARE`, `lowContrastPairs`; absent: never; other stages
   * refuse it).
   */
  readonly lowContrastScenesFrom?: number;
  /**
   * Decoder stage: step from which half of each batch is latents the denoiser generated, with the
   * pictures they were generated for (`generated-latents.ts`; absent: never). Set, the stage feeds
   * the decoder latents (the frozen encoder's means for scenes drawn at random) instead of running
   * the encoder and the posterior's sampling in its graph.
   */
  readonly generatedLatentsFrom?: number;
}

/** Every key of {@link StageCurriculum}, in the order the curriculum grew. */
export const SWITCH_STEPS = [
  'patternsFrom',
  'objectWeightFrom',
  'boxWeightFrom',
  'smallBoxWeightFrom',
  'hardShapesFrom',
  'smallScenesFrom',
  'lookalikeShapesFrom',
  'midNoiseFrom',
  'contrastWeightFrom',
  'latentContrastFrom',
  'lowContrastScenesFrom',
  'generatedLatentsFrom',
] as const satisfies readonly (keyof StageCurriculum)[];

// Fails to compile when StageCurriculum gains a key SWITCH_STEPS lacks.
type Missing = Exclude<keyof StageCurriculum, (typeof SWITCH_STEPS)[number]>;
const everySwitchListed: [Missing] extends [never] ? true : Missing = true;
void everySwitchListed;

/** `train-base`'s flag for a switch: its key in kebab case (`lowContrastScenesFrom` → `low-contrast-scenes-from`). */
export const switchFlag = (key: (typeof SWITCH_STEPS)[number]): string => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
