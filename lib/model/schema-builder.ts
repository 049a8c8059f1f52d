/**
 * A small typed JSON Schema (draft-07) builder: every builder returns the plain JSON Schema object ajv
 * validates with and that `npm run generate` publishes, and carries, in its type only, the TypeScript type of
 * the values it accepts once ajv has filled the defaults ({@link Static}). One definition thus yields both,
 * and the compiler catches any drift between the schema and the code that reads validated data.
 *
 * Conventions, chosen so the published schema reads like a hand-written one:
 * - keywords appear in the JSON in the order they are written in the options (`type` first), so an author
 *   decides whether `description` comes before or after `properties` or `items`;
 * - objects are closed (`additionalProperties: false`) unless built with {@link T.record};
 * - `required` is computed and placed just before `properties`: every property except those wrapped in
 *   {@link T.optional} and those with a `default`;
 * - a property with a `default` is required in the static type, since ajv (`useDefaults`) always fills it.
 */

/** Runtime marker of a property that may be absent. */
const OPTIONAL = Symbol('optional');

/** A JSON Schema object. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * A JSON Schema that validates (after defaults are filled) to values of type `S`. `~static` exists in the type
 * only (a phantom); no schema object has it.
 */
export type TSchema<S = unknown> = JsonSchema & { readonly '~static': S };

/** The TypeScript type of the values a schema accepts, defaults filled in. */
export type Static<T> = T extends TOptional<infer U> ? Static<U> : T extends { readonly '~static': infer S } ? S : never;

/** A property that may be absent (not in `required`, no default). Only meaningful inside an object's properties. */
export interface TOptional<T extends TSchema> {
  readonly [OPTIONAL]: T;
}

type Property = TSchema | TOptional<TSchema>;
type Properties = { readonly [name: string]: Property };
type Unwrap<P> = P extends TOptional<infer T> ? T : P;
type Flatten<T> = { -readonly [K in keyof T]: T[K] } & {};
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The static type of an object with these properties. */
export type StaticProperties<P extends Properties> = Flatten<
  { [K in keyof P as P[K] extends TOptional<TSchema> ? never : K]: Static<P[K]> } & {
    [K in keyof P as P[K] extends TOptional<TSchema> ? K : never]?: Static<Unwrap<P[K]>>;
  }
>;

/** Keywords every node may carry. */
export interface Annotations<S> {
  readonly description?: string;
  readonly default?: S;
}

export interface StringOptions extends Annotations<string> {
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
}

export interface IntegerOptions extends Annotations<number> {
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface ArrayOptions<I extends TSchema> extends Annotations<Static<I>[]> {
  readonly items: I;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
}

export interface ObjectOptions<P extends Properties> extends Annotations<DeepPartial<StaticProperties<P>>> {
  readonly properties: P;
}

export interface ConditionalOptions<P extends Properties, Then extends TSchema, Else extends TSchema> extends Annotations<DeepPartial<StaticProperties<P>>> {
  readonly properties: P;
  /** A plain schema: which branch applies. */
  readonly if: JsonSchema;
  readonly then: Then;
  readonly else: Else;
}

/** A named schema published under `definitions` and used through {@link T.ref}. */
export interface TDefinition<S extends TSchema = TSchema> {
  readonly name: string;
  readonly schema: S;
}

const node = <S>(json: object): TSchema<S> => json as TSchema<S>;

const isOptional = (p: Property): p is TOptional<TSchema> => OPTIONAL in p;

/**
 * Copies `options` in their order, replacing `properties` by `required` (when not empty) and the properties
 * with their optional wrappers removed.
 */
function withProperties(options: { readonly properties: Properties }): JsonSchema {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key !== 'properties') {
      out[key] = value;
      continue;
    }
    const required: string[] = [];
    const properties: Record<string, TSchema> = {};
    for (const [name, property] of Object.entries(options.properties)) {
      const schema = isOptional(property) ? property[OPTIONAL] : property;
      if (!isOptional(property) && !('default' in schema)) required.push(name);
      if (isOptional(property) && 'default' in schema) throw new Error(`schema: optional property ${name} has a default; drop T.optional`);
      properties[name] = schema;
    }
    if (required.length) out.required = required;
    out.properties = properties;
  }
  return out;
}

/** The builders. */
export const T = {
  string: (options: StringOptions = {}) => node<string>({ type: 'string', ...options }),

  integer: (options: IntegerOptions = {}) => node<number>({ type: 'integer', ...options }),

  boolean: (options: Annotations<boolean> = {}) => node<boolean>({ type: 'boolean', ...options }),

  /** `{enum: values}`: one of the given strings. */
  enum: <const V extends readonly [string, ...string[]]>(values: V, options: Annotations<V[number]> = {}) => node<V[number]>({ enum: values, ...options }),

  /** `{const: value}`. */
  literal: <const V extends string>(value: V) => node<V>({ const: value }),

  array: <I extends TSchema>(options: ArrayOptions<I>) => node<Static<I>[]>({ type: 'array', ...options }),

  /** A closed object (`additionalProperties: false`). */
  object: <const P extends Properties>(options: ObjectOptions<P>) =>
    node<StaticProperties<P>>({
      type: 'object',
      additionalProperties: false,
      ...withProperties(options),
    }),

  /** The closed-object keywords without `type` (for `then`/`else` branches). */
  closed: <const P extends Properties>(options: ObjectOptions<P>) => node<StaticProperties<P>>({ additionalProperties: false, ...withProperties(options) }),

  /** An object whose values all match `values`. */
  record: <V extends TSchema>(values: V, options: Annotations<Record<string, Static<V>>> = {}) =>
    node<Record<string, Static<V>>>({ type: 'object', additionalProperties: values, ...options }),

  /**
   * An object with `if`/`then`/`else`: the common properties (`properties`) and whichever branch applies.
   * Its static type is the union of the common properties combined with each branch.
   */
  conditional: <const P extends Properties, Then extends TSchema, Else extends TSchema>(options: ConditionalOptions<P, Then, Else>) =>
    node<Flatten<StaticProperties<P> & Static<Then>> | Flatten<StaticProperties<P> & Static<Else>>>({
      type: 'object',
      ...withProperties(options),
    }),

  /** Marks an object property as one that may be absent. */
  optional: <S extends TSchema>(schema: S): TOptional<S> => ({ [OPTIONAL]: schema }),

  /** A named definition, published under `definitions/<name>`. */
  def: <S extends TSchema>(name: string, schema: S): TDefinition<S> => ({ name, schema }),

  /** `{$ref: '#/definitions/<name>'}` with the definition's static type. */
  ref: <S extends TSchema>(definition: TDefinition<S>, options: Annotations<Static<S>> = {}) =>
    node<Static<S>>({ $ref: `#/definitions/${definition.name}`, ...options }),

  /** The `definitions` object of a root schema. */
  definitions: (definitions: readonly TDefinition[]): Record<string, JsonSchema> => Object.fromEntries(definitions.map((d) => [d.name, d.schema])),
};
