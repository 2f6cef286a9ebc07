/** Public face of src/traits: the identify traits of a person (pure). */
export { personTraits, type TraitInputs } from "./personTraits.js";
