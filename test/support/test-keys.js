// Keys used only by tests, kept out of the TypeScript sources so the hardcoded-secret lint stays meaningful there.
module.exports = {
	/** Webhook secret of the Chatwoot scenarios. */
	CHATWOOT_TEST_KEY: 'cw-test-secret-7Yq',
	/** The Secret Key of the FreeScout instance the real deliveries in test/fixtures/freescout-real came from. */
	FREESCOUT_REAL_KEY: '7eddb821637dfbe1d4635812832e13e1',
	/** The Secret Key of the FreeScout 1.8.235 instance whose web-UI deliveries are in test/fixtures/freescout-real-ui. */
	FREESCOUT_REAL_UI_KEY: 'c17909b59a2b92c82a20e64182cacebf',
	/** The Secret Key of the FreeScout 1.8.235 instance whose merge deliveries are in test/fixtures/freescout-real-merge. */
	FREESCOUT_REAL_MERGE_KEY: '738fde2c9df7ff1cff3f1382f86f902f',
	/** FreeScout's published signature test vector. */
	FREESCOUT_VECTOR_KEY: '5f4dcc3b5aa765d61d8327deb882cf99',
	/** API key of the FreeScout simulator in its own tests. */
	FREESCOUT_TEST_API_KEY: 'test-api-key-0123456789abcdef0000',
	/** Any other key, for signature tests. */
	OTHER_TEST_KEY: 'whsec-cw-1',
};
