/** A scene that cannot be drawn: an unknown name, two objects that would touch, or an object the colour of the background. */
export class SceneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
