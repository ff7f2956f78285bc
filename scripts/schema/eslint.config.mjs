// graphql-eslint over the schema, schema.graphqls and graph/schema/*.graphqls
// (make lint-schema, from the
// repository root): the recommended and the Relay rule sets for schemas,
// with every type, field, argument, input field and enum value described.
import graphql from '@graphql-eslint/eslint-plugin';

// relay are the Relay rules with what they leave to the schema: every
// object with an identity has an `id: ID!` (its global id, Node); the
// connections, their edges and pages, and the answers that are values
// (a conversion, a login, a migration, a change event) have none. Lists
// of scalars and the list of nodes(ids:) are not connections.
const relay = {
  '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false }],
  '@graphql-eslint/strict-id-in-types': ['error', {
    acceptedIdNames: ['id'],
    acceptedIdTypes: ['ID'],
    exceptions: {
      types: ['PageInfo', 'Conversion', 'AuthPayload', 'MigrationCount', 'MigrationResult', 'RateChange'],
      suffixes: ['Connection', 'Edge'],
    },
  }],
};

export default [
  {
    files: ['schema.graphqls', 'graph/schema/*.graphqls'],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: ['schema.graphqls', 'graph/schema/*.graphqls'] } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      ...relay,
      '@graphql-eslint/require-description': ['error', {
        types: true,
        rootField: true,
        FieldDefinition: true,
        InputValueDefinition: true,
        EnumValueDefinition: true,
        DirectiveDefinition: true,
      }],
      // One line stays inline ("..."), more take a block ("""...""").
      '@graphql-eslint/description-style': 'off',
    },
  },
];
