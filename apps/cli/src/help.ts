import { GENERATE_OPTIONS, GLOBAL_OPTIONS, type OptionSpec } from './options.js';
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
  2    bad command line (unknown option, malformed value)
  130  cancelled with Ctrl-C`;

const ENVIRONMENT = `Environment:
  PERFUSION_CACHE_DIR   where the default model is cached (default: node_modules/.cache/perfusion
                        under the project root); the model goes to $PERFUSION_CACHE_DIR/fixtures/.`;

/** `perfusion --help`. */
export const GLOBAL_HELP = `Usage: perfusion <command> [options]

Perfusion-TS on the command line: text-to-image generation with Stable-Diffusion-1.x ONNX models
on onnxruntime-node.

Commands:
  generate "prompt"   generate images from a prompt (perfusion generate --help for its options)
  help [command]      show this help, or a command's

Options:
${optionTable(GLOBAL_OPTIONS)}

Examples:
  perfusion generate "a red cat on a sofa" --seed 42 --out cat.png
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
  # the embedded default model (a tiny test model: the image is noise-like, but every stage runs)
  perfusion generate "a red cat on a sofa" --seed 42 --out cat.png

  # your own Stable Diffusion 1.5 ONNX export (optimum/diffusers layout)
  perfusion generate "a watercolour fox in the snow" --model ./sd15-onnx --steps 25 \\
      --scheduler dpm++2m-karras --guidance 7 --width 512 --height 512 --out fox.png

  # four images from one prompt: fox-0.png ... fox-3.png, and a preview of every step
  perfusion generate "a fox" --model ./sd15-onnx --batch 4 --out fox.png --previews previews/

  # the same noise as diffusers' PyTorch pipeline (torch.Generator("cpu").manual_seed(7))
  perfusion generate "a fox" --model ./sd15-onnx --noise torch --seed 7 --negative "blurry, lowres"

${EXIT_CODES}

${ENVIRONMENT}
`;

/** The help of a command, or the global help. */
export function helpText(command?: CommandName): string {
  return command === 'generate' ? GENERATE_HELP : GLOBAL_HELP;
}
