export { dedent, exampleInReadme, exampleInTest, textBetween } from './readme-example.js';
