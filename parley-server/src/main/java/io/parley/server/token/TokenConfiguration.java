package io.parley.server.token;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import io.parley.server.auth.Roles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;

/**
 * The signing keys (configured, else from the database), and the Nimbus encoder and decoder built on
 * them. The decoder accepts only ES256 signed by one of {@link SigningKeys}, with {@code iss}
 * this issuer and {@code sub}, {@code exp}, {@code nbf}, {@code iat}, {@code jti} present; {@code exp}
 * and {@code nbf} are checked with {@code parley.tokens.clock-skew}. {@code alg: none} and every
 * other algorithm are refused by Nimbus before any claim is read. A checked token's authorities are
 * its subject's {@link Roles}, derived when it is checked, never read from the token.
 */
@Configuration(proxyBeanMethods = false)
class TokenConfiguration {

    @Bean
    SigningKeys signingKeys(TokenProperties properties, JdbcClient jdbc) throws IOException {
        if (properties.jwkSet() != null && !properties.jwkSet().isBlank()) {
            return SigningKeys.parse(properties.jwkSet());
        }
        if (properties.jwkSetFile() != null) {
            return SigningKeys.parse(Files.readString(properties.jwkSetFile()));
        }
        return new StoredSigningKeys(jdbc).load();
    }

    @Bean
    JwtEncoder jwtEncoder(SigningKeys keys) {
        return new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(keys.signing())));
    }

    @Bean
    JwtDecoder jwtDecoder(SigningKeys keys, TokenProperties properties) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<>(keys.publicSet()))
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
        JwtTimestampValidator timestamps = new JwtTimestampValidator(properties.clockSkew());
        timestamps.setAllowEmptyExpiryClaim(false);
        timestamps.setAllowEmptyNotBeforeClaim(false);
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(List.of(
                timestamps,
                new JwtIssuerValidator(properties.issuer()),
                new JwtClaimValidator<>(JwtClaimNames.SUB, Objects::nonNull),
                new JwtClaimValidator<>(JwtClaimNames.IAT, Objects::nonNull),
                new JwtClaimValidator<>(JwtClaimNames.JTI, Objects::nonNull),
                new JwtClaimValidator<>(AccessTokens.FAMILY_CLAIM, Objects::nonNull))));
        return decoder;
    }

    /** Picked up by Spring Security's resource server: the roles of a token's subject, from {@code parley.admins}. */
    @Bean
    JwtAuthenticationConverter jwtAuthenticationConverter(Roles roles) {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(jwt -> List.copyOf(roles.authoritiesOf(String.valueOf(jwt.getSubject()))));
        return converter;
    }
}
