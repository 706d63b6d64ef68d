import { describe, expect, it } from 'vitest';
import { COLOURS, measurePattern, renderScene, SceneError, type Scene } from '../src/index.js';

const checkered: Scene = { background: 'orange', objects: [{ shape: 'square', colour: 'yellow', size: 'large', position: 'center', pattern: { kind: 'checkered', colour: 'black' } }] };

const pixel = (scene: Scene, x: number, y: number): number[] => {
  const image = renderScene(scene);
  const i = (y * 64 + x) * 3;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
};

describe('patterned objects', () => {
  it('checkered fills alternate 4-pixel squares fixed to the image grid', () => {
    // The large centre square covers pixels 20..43: cells (5,5) and (6,6) are the object's colour, (5,6) the pattern's.
    expect(pixel(checkered, 20, 20)).toEqual([...COLOURS.yellow]);
    expect(pixel(checkered, 24, 24)).toEqual([...COLOURS.yellow]);
    expect(pixel(checkered, 24, 20)).toEqual([...COLOURS.black]);
    expect(pixel(checkered, 20, 24)).toEqual([...COLOURS.black]);
    expect(pixel(checkered, 5, 5)).toEqual([...COLOURS.orange]);
  });

  it('striped fills alternate 4-pixel rows', () => {
    const striped: Scene = { ...checkered, objects: [{ ...checkered.objects[0]!, pattern: { kind: 'striped', colour: 'black' } }] };
    // Rows 20..23 are band 5 (odd: the pattern's colour), rows 24..27 band 6.
    expect(pixel(striped, 20, 20)).toEqual([...COLOURS.black]);
    expect(pixel(striped, 24, 20)).toEqual([...COLOURS.black]);
    expect(pixel(striped, 20, 24)).toEqual([...COLOURS.yellow]);
  });

  it('takes the cell size from the pattern', () => {
    const wide: Scene = { ...checkered, objects: [{ ...checkered.objects[0]!, pattern: { kind: 'striped', colour: 'black', cell: 8 } }] };
    // Rows 16..23 are band 2 (the object's colour), rows 24..31 band 3 (the pattern's).
    expect(pixel(wide, 20, 23)).toEqual([...COLOURS.yellow]);
    expect(pixel(wide, 20, 24)).toEqual([...COLOURS.black]);
    expect(() => renderScene({ ...wide, objects: [{ ...wide.objects[0]!, pattern: { kind: 'striped', colour: 'black', cell: 0 } }] })).toThrow(/whole number of pixels/);
  });

  it('refuses a pattern colour equal to the object or the background', () => {
    const same: Scene = { ...checkered, objects: [{ ...checkered.objects[0]!, pattern: { kind: 'checkered', colour: 'yellow' } }] };
    const hidden: Scene = { ...checkered, objects: [{ ...checkered.objects[0]!, pattern: { kind: 'checkered', colour: 'orange' } }] };
    expect(() => renderScene(same)).toThrow(SceneError);
    expect(() => renderScene(hidden)).toThrow(/pattern colour 'orange' must differ/);
  });
});

describe('measurePattern', () => {
  it('scores a clean checkered object 1 and a flat one 0', () => {
    const patterned = measurePattern(renderScene(checkered), ['yellow', 'black']);
    expect(patterned.background).toBe('orange');
    expect(patterned.foreground).toBe(24 * 24);
    expect(patterned.position).toBe('center');
    expect(patterned.shares).toEqual([0.5, 0.5]);
    expect(patterned.fidelity).toBe(1);
    const flat = measurePattern(renderScene({ background: 'orange', objects: [{ ...checkered.objects[0]!, pattern: undefined }] }), ['yellow', 'black']);
    expect(flat.fidelity).toBe(0);
    expect(flat.shares).toEqual([1, 0]);
  });

  it('is 0 for an empty picture', () => {
    const image = renderScene(checkered);
    image.data.fill(128);
    expect(measurePattern(image, ['yellow', 'black'])).toMatchObject({ background: 'gray', foreground: 0, position: undefined, fidelity: 0 });
  });
});
