package io.parley.server.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page ({@code /error}): whatever went wrong outside a controller (an unknown
 * path, a filter's rejection, a too-large request), the client gets an {@link ApiError} as JSON,
 * never a whitelabel page or a stack trace.
 */
@RestController
class JsonErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<ApiError> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
                ? HttpStatus.valueOf(value)
                : HttpStatus.INTERNAL_SERVER_ERROR;
        String message = status.is5xxServerError() ? "internal error" : status.getReasonPhrase();
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ApiError(ErrorCodes.of(status), message));
    }
}
