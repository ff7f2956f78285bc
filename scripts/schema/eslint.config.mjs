// graphql-eslint over schema.graphqls (make lint-schema, from the
// repository root): the recommended and the Relay rule sets for schemas,
// with every type, field, argument, input field and enum value described.
import graphql from '@graphql-eslint/eslint-plugin';

// relayPending are the Relay rules the graph does not meet yet (global
// object identification, the members connection): warnings, not errors,
// until it does.
const relayPending = {
  '@graphql-eslint/relay-edge-types': 'warn',
  '@graphql-eslint/strict-id-in-types': 'warn',
};

export default [
  {
    files: ['schema.graphqls'],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: 'schema.graphqls' } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      ...relayPending,
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
