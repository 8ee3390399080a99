/**
 * @module The data model of our protobuf field tables: for each message, its field numbers
 * mapped to `[jsonName, type, flags?]`. The decoder in ./message.ts walks these tables.
 *
 * type   a scalar (`string int32 int64 bool bytes double float`), a table message name
 *        (`core.v1.Container`), a well-known type implemented by hand (`Time MicroTime
 *        Duration Quantity IntOrString RawExtension FieldsV1`), `map<K,V>` (repeated entry
 *        messages {1 key, 2 value}), or `list<T>` (a message wrapping `repeated T items = 1`
 *        that is a plain array in JSON, e.g. authentication's ExtraValue).
 * flags  `r` repeated; `o` Go value field tagged omitempty: left out of the JSON when it
 *        decodes to its zero value (gogo writes such fields unconditionally, so wire presence
 *        means nothing for them); `i` Go `json:",inline"`: merged into the parent object.
 *        Without `o`, a field present on the wire is kept even when zero (pointer fields).
 */

export type FieldSpec = readonly [json: string, type: string, flags?: string];
export type MessageSpec = Readonly<Record<number, FieldSpec>>;
export type MessageTable = Readonly<Record<string, MessageSpec>>;
