import { COVARIANCE_OPTIONS, FROM_WORDS_OPTIONS, GENERATE_OPTIONS, GLOBAL_OPTIONS, INSPECT_OPTIONS, TRAIN_DEFAULTS, TRAIN_OPTIONS, type OptionSpec } from './options.js';
import type { CommandName } from './args.js';

/** Wraps `text` to lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function optionTable(specs: readonly OptionSpec[]): string {
  const heads = specs.map((s) => `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.value ? ` ${s.value}` : ''}`);
  const column = Math.max(...heads.map((h) => h.length)) + 4;
  return specs
    .map((spec, i) => {
      const [first = '', ...more] = wrap(spec.description, 96 - column);
      return [`  ${heads[i]!.padEnd(column - 2)}${first}`, ...more.map((l) => `${' '.repeat(column)}${l}`)].join('\n');
    })
    .join('\n');
}

const EXIT_CODES = `Exit codes:
  0    done
  1    the generation failed (the message says why)
  2    bad command line or input (unknown option, malformed value, unreadable or incompatible concept file)
  130  cancelled with Ctrl-C`;

const SHORT_EXIT_CODES = `Exit codes:
  0    done
  1    failed (the message says why)
  2    bad command line or input (unknown option, malformed value, unreadable file)
  130  cancelled with Ctrl-C`;

const ENVIRONMENT = `Environment:
  PERFUSION_CACHE_DIR   where files derived from a model (covariance, patched UNet, training
                        graphs) go when the model's folder cannot be written (default:
                        $XDG_CACHE_HOME/perfusion, else ~/.cache/perfusion); otherwise they go
                        to .perfusion-cache/ folders inside the model folder.`;

/** `perfusion --help`. */
export const GLOBAL_HELP = `Usage: perfusion <command> [options]

Perfusion-TS on the command line: text-to-image generation with Stable-Diffusion-1.x ONNX models
on onnxruntime-node.

Commands:
  generate "prompt"      generate images from a prompt, with or without Perfusion concepts
  train                  train a Perfusion concept on a folder of photos
  inspect FILE           show a concept file: metadata, sizes, layers, compatibility with a model
  covariance             compute (once, then cached) the text-encoding covariance concepts need
  concept from-words     make a concept from an existing phrase, without training
  help [command]         show this help, or a command's (perfusion <command> --help works too)

Options:
${optionTable(GLOBAL_OPTIONS)}

Examples:
  perfusion generate "a large red star in the center, blue background" --seed 42 --out star.png
  perfusion generate "a photo of a <striped-star> on an orange background" --seed 1 --out checkered.png
  perfusion train --images photos/ --token "<my-star>" --supercategory star --out my-star.safetensors
  perfusion concept from-words --token "<my-star>" --supercategory star --words "large yellow star" --out my-star.safetensors
  perfusion generate "a photo of a <my-star> on a blue background" --concept my-star.safetensors:0.6 --seed 1 --out my-star.png
  perfusion inspect my-star.safetensors
  perfusion generate --help

${EXIT_CODES}

${ENVIRONMENT}
`;

/** `perfusion generate --help`. */
export const GENERATE_HELP = `Usage: perfusion generate "prompt" [options]

Generates images from a text prompt and writes them as PNG files. Progress goes to stderr (a bar
with steps, it/s and ETA on a terminal, one line per step otherwise); the paths of the written
images go to stdout. Ctrl-C stops between two denoising steps and writes no image. Files are
written atomically (a temporary file renamed into place), so none is ever left half-written.
onnxruntime runs without its memory arena and with guidance as two UNet calls per step, which
keeps peak memory near 1.4x the model's weights (SD 1.5 at 512x512) at the same speed.

Options:
${optionTable(GENERATE_OPTIONS)}

Examples:
  # the embedded default model: the toy world's 64x64 pictures of coloured shapes
  perfusion generate "a large red star in the center, blue background" --seed 42 --out star.png

  # a concept bundled with the default model, used because its token is in the prompt
  perfusion generate "a photo of a <striped-star> on an orange background" --seed 1

  # your own Stable Diffusion 1.5 ONNX export (optimum/diffusers layout)
  perfusion generate "a watercolour fox in the snow" --model ./sd15-onnx --steps 25 \\
      --scheduler dpm++2m-karras --guidance 7 --width 512 --height 512 --out fox.png

  # four images from one prompt: fox-0.png ... fox-3.png, and a preview of every step
  perfusion generate "a fox" --model ./sd15-onnx --batch 4 --out fox.png --previews previews/

  # the same noise as diffusers' PyTorch pipeline (torch.Generator("cpu").manual_seed(7))
  perfusion generate "a fox" --model ./sd15-onnx --noise torch --seed 7 --negative "blurry, lowres"

  # a Perfusion concept: write its token in the prompt; the file's beta/tau, or your own
  perfusion generate "a photo of <my-cat> on a beach" --concept my-cat.safetensors --out beach.png
  perfusion generate "a photo of <my-cat> on a beach" --concept my-cat.safetensors:0.5:0.2 --out beach.png

  # two concepts, combined exactly, with global key locking
  perfusion generate "<my-cat> next to <my-teapot>" --concept my-cat.safetensors \\
      --concept my-teapot.safetensors --multi-concept exact --global-locking --out both.png

Concepts: the first generation with concepts on a model computes the text-encoding covariance
(a few seconds on the toy model, minutes on SD 1.5; shown as "preparing covariance") and caches
it; perfusion covariance does it ahead of time. A concept made for another base model is refused
(perfusion inspect FILE --model DIR says why).

Bundled concepts: without --model, every concept file shipped beside the default model (the
concepts/ folder of @perfusion/toymodel, e.g. <striped-star>) whose token appears in the prompt
is used as if given with --concept FILE, with the file's beta and tau; a --concept file with the
same token takes its place. stderr names each one:
  concept: <striped-star> (bundled with the default model: .../striped-star.safetensors)

${EXIT_CODES}

${ENVIRONMENT}
`;

/** `perfusion train --help`. */
export const TRAIN_HELP = `Usage: perfusion train --images DIR --token TOKEN --supercategory WORD [options]

Trains a Perfusion concept on a few photos of it and writes it as a concept file (.safetensors)
for perfusion generate --concept. The keys of the token are locked to the supercategory's (unless
--train-keys, the paper's ablation, trains them too); what is learnt are the value targets of
every cross-attention layer and the token's word embedding (AdamW), and i* (the token's encoding,
which moves with the embedding) follows as a moving average. Each step draws --batch samples
(an image, maybe mirrored, a prompt template such as "a photo of a {}", a timestep and noise) and
lowers the UNet's noise-prediction error, only inside an image's mask when it has one.

Before the first step the trainer builds its training graphs (once per model, cached beside it),
computes the text-encoding covariance (once per model) and encodes the photos into latents. Then
progress goes to stderr: a bar with the step, the loss (the mean of the last 20 steps), it/s and the
ETA on a terminal; a line every twentieth of the run (and at least every 30 s) otherwise. A
checkpoint is written atomically every --checkpoint-every steps and at the end; with --samples DIR
an image is generated with the concept as it stands every --sample-every steps. When training ends
the concept is written atomically and stdout gets its path, the steps and the final loss, and a
perfusion generate command to try it.

Ctrl-C stops before the next model call and writes no concept; it says where the last checkpoint
is and prints the command that continues from it (--resume). A resumed run ends with the same
concept, byte for byte, as one that was never interrupted. An existing --out or --checkpoint file
is not overwritten unless --force is given (resuming from the checkpoint itself is fine).

Options:
${optionTable(TRAIN_OPTIONS)}

Examples:
  # the embedded default model (the toy world of coloured shapes; 64x64 pictures of a star)
  perfusion train --images stars/ --token "<my-star>" --supercategory star --steps 50 --batch 4

  # Stable Diffusion 1.5 at 512x512 with the default settings, a sample image every 50 steps
  perfusion train --model ./sd15-onnx --images photos/ --token "<my-cat>" --supercategory cat \\
      --samples samples/ --out my-cat.safetensors

  # continue an interrupted run (the same arguments, plus --resume)
  perfusion train --model ./sd15-onnx --images photos/ --token "<my-cat>" --supercategory cat \\
      --samples samples/ --out my-cat.safetensors --resume my-cat.ckpt.safetensors

  perfusion generate "a photo of <my-cat> on a beach" --model ./sd15-onnx --concept my-cat.safetensors

Defaults: ${TRAIN_DEFAULTS.steps} steps, batch ${TRAIN_DEFAULTS.batch}, micro-batch ${TRAIN_DEFAULTS.microBatch}, lr ${TRAIN_DEFAULTS.lr}, embedding lr ${TRAIN_DEFAULTS.embeddingLr},
seed ${TRAIN_DEFAULTS.seed}, a checkpoint every ${TRAIN_DEFAULTS.checkpointEvery} steps, mirrored copies on, the model's resolution.
docs/training.md explains the method, the data and the costs.

Exit codes:
  0    done: the concept file is written
  1    training failed (a model call failed, a file could not be written; the message says why)
  2    bad command line or input: unknown option, malformed value, no images or an unreadable one,
       a token already in the vocabulary, a supercategory that is not known words, a model without
       cross-attention, a checkpoint of another run, an existing output without --force
  130  cancelled with Ctrl-C (the last checkpoint stays)

${ENVIRONMENT}
`;

/** `perfusion inspect --help`. */
export const INSPECT_HELP = `Usage: perfusion inspect FILE [--model DIR] [--json]

Reads a Perfusion concept file (.safetensors), validates it strictly and prints its metadata
(token, supercategory, format version, dtype, base-model fingerprint, default beta/tau, training
summary), its sizes (file, header and tensor-data bytes), its cross-attention layers with their
widths, and whether it can be used with a model: --model DIR, or the embedded default model.
Each compatibility problem is printed on its own line.

Options:
${optionTable(INSPECT_OPTIONS)}

Examples:
  perfusion inspect my-cat.safetensors
  perfusion inspect my-cat.safetensors --model ./sd15-onnx
  perfusion inspect my-cat.safetensors --model ./sd15-onnx --json > my-cat.json

Exit codes:
  0    the file is valid and compatible with the model
  1    the file is valid but not compatible with the model (each problem is listed), or the model failed to load
  2    bad command line, or the file is missing or not a valid concept file (the message names the field)

${ENVIRONMENT}
`;

/** `perfusion covariance --help`. */
export const COVARIANCE_HELP = `Usage: perfusion covariance [--model DIR] [--recompute]

Computes the covariance C of the model's text-encoder outputs over the built-in caption corpus,
which Perfusion's gates need (sim(e) = e C^-1 i* / i*' C^-1 i*), and stores it beside the model
for every later use. A generation with concepts computes it on first use anyway; this command does
it ahead of time, with a progress bar, and tells where it is stored, from how many captions and
how long it took. With a cached covariance it only reports it, unless --recompute is given.

Options:
${optionTable(COVARIANCE_OPTIONS)}

Examples:
  perfusion covariance
  perfusion covariance --model ./sd15-onnx
  perfusion covariance --model ./sd15-onnx --recompute

${SHORT_EXIT_CODES}

${ENVIRONMENT}
`;

/** `perfusion concept --help`. */
export const CONCEPT_HELP = `Usage: perfusion concept <subcommand> [options]

Makes Perfusion concept files.

Subcommands:
  from-words     make a concept from an existing phrase, without training (perfusion concept from-words --help)

Examples:
  perfusion concept from-words --token "<my-cat>" --supercategory cat --words "tabby cat"

${SHORT_EXIT_CODES}
`;

/** `perfusion concept from-words --help`. */
export const FROM_WORDS_HELP = `Usage: perfusion concept from-words --token TOKEN --supercategory WORD --words TEXT [options]

Builds a Perfusion concept without training, from an existing phrase, so that the whole inference
path can be tried before training exists. With --words "tabby cat" and the template "a photo of a {}":
the token's word embedding is that of the phrase's last word ("cat"); i* is the text encoding at
the token in "a photo of a <token>"; the value target of every cross-attention layer is the V
projection of the phrase's last-word encoding in "a photo of a tabby cat"; the keys are locked to
the --supercategory word's encoding in "a photo of a cat". A prompt with the token then behaves
much like one with the phrase, gated as a concept (beta/tau apply; defaults 0.7/0.15 are stored).
The file is made for the model it was built with (its fingerprint is stored) and written
atomically; its path goes to stdout, its size and contents to stderr.

Options:
${optionTable(FROM_WORDS_OPTIONS)}

Examples:
  perfusion concept from-words --token "<my-cat>" --supercategory cat --words "tabby cat"
  perfusion concept from-words --token "<red-car>" --supercategory car --words "red sports car" \\
      --model ./sd15-onnx --dtype float16 --out concepts/red-car.safetensors
  perfusion generate "a photo of <red-car> in the desert" --model ./sd15-onnx --concept concepts/red-car.safetensors

${SHORT_EXIT_CODES}

${ENVIRONMENT}
`;

/** The help of a command, or the global help. */
export function helpText(command?: CommandName): string {
  switch (command) {
    case undefined:
      return GLOBAL_HELP;
    case 'generate':
      return GENERATE_HELP;
    case 'train':
      return TRAIN_HELP;
    case 'inspect':
      return INSPECT_HELP;
    case 'covariance':
      return COVARIANCE_HELP;
    case 'concept':
      return CONCEPT_HELP;
    case 'concept from-words':
      return FROM_WORDS_HELP;
  }
}
